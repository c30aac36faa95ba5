package dev.llcuda.cli;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.llcuda.hub.HubDownloader;
import dev.llcuda.hub.HubFile;

/**
 * {@code llcuda pull OWNER/REPO FILE.gguf}: downloads a GGUF file from a Hugging
 * Face–compatible hub into a folder, resumably, checked against the hub's SHA-256, with a
 * progress bar.
 */
final class PullCommand implements Command {

	@Override
	public String summary() {
		return "download a GGUF file from a Hugging Face-compatible hub (resumable, SHA-256 checked)";
	}

	@Override
	public String usage() {
		return "OWNER/REPO FILE.gguf [--revision main] [--dir models] [--hub https://huggingface.co] "
				+ "[--token TOKEN (default: $HF_TOKEN)] [--read-timeout SECONDS (default: 30)]";
	}

	@Override
	public int run(Arguments args, PrintStream out, PrintStream err) throws Exception {
		if (args.positional().size() != 2) {
			throw new UsageException("expected OWNER/REPO and FILE.gguf, got " + args.positional());
		}
		HubFile file = new HubFile(args.positional(0, "OWNER/REPO"), args.positional(1, "FILE.gguf"),
				args.option("--revision").orElse("main"));
		Path folder = Files.createDirectories(Path.of(args.option("--dir").orElse("models")));
		URI hub = URI.create(args.option("--hub").orElse(HubDownloader.DEFAULT_HUB.toString()));
		String token = args.option("--token").orElse(System.getenv("HF_TOKEN"));
		Path target = folder.resolve(file.localName());
		long readTimeout = args.longOption("--read-timeout", HubDownloader.DEFAULT_READ_TIMEOUT.toSeconds());
		if (readTimeout < 1) {
			throw new UsageException("--read-timeout must be at least 1 second: " + readTimeout);
		}
		ProgressBar bar = new ProgressBar(err);
		String sha256 = new HubDownloader(hub, token, Duration.ofSeconds(2), Duration.ofSeconds(readTimeout))
			.download(file, target, bar::show, () -> false);
		bar.finish();
		out.println(target + "  sha256 " + sha256);
		return 0;
	}

}
