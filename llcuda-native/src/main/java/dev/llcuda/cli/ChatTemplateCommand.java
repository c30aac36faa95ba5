package dev.llcuda.cli;

import dev.llcuda.template.ChatTemplate;
import dev.llcuda.template.TemplateCase;
import dev.llcuda.template.TemplateException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * {@code llcuda chat-template --cases CASES.json}: renders every case and reports
 * mismatches.
 */
final class ChatTemplateCommand implements Command {

	@Override
	public String summary() {
		return "render chat-template test cases (templates next to the cases file)";
	}

	@Override
	public String usage() {
		return "--cases CASES.json";
	}

	@Override
	public int run(Arguments args, PrintStream out, PrintStream err) throws Exception {
		Path casesFile = Path.of(args.required("--cases"));
		if (!Files.isRegularFile(casesFile)) {
			throw new UsageException("cases file not found: " + casesFile);
		}
		Path folder = Objects.requireNonNull(casesFile.toAbsolutePath().getParent()); // a
																						// file
																						// has
																						// a
																						// folder
		List<TemplateCase> cases = TemplateCase.readAll(casesFile);
		Map<String, Compiled> compiled = new HashMap<>();
		int passed = 0;
		for (TemplateCase testCase : cases) {
			Compiled template = compiled.computeIfAbsent(testCase.template(), file -> compile(folder.resolve(file)));
			String mismatch = template.problem() != null ? template.problem() : testCase.mismatch(template.template());
			if (mismatch == null) {
				passed++;
			}
			else {
				out.println("FAIL " + testCase.name() + ": " + mismatch);
			}
		}
		int failed = cases.size() - passed;
		out.println(passed + " passed, " + failed + " failed");
		return failed == 0 ? 0 : 1;
	}

	/**
	 * A compiled template, or why it could not be read or compiled (reported for each
	 * case).
	 */
	private record Compiled(@Nullable ChatTemplate template, @Nullable String problem) {
	}

	private static Compiled compile(Path file) {
		try {
			String source = Files.readString(file, StandardCharsets.UTF_8);
			return new Compiled(ChatTemplate.compile(file.getFileName().toString(), source), null);
		}
		catch (IOException e) {
			return new Compiled(null, "cannot read template " + file + ": " + e);
		}
		catch (TemplateException e) {
			return new Compiled(null, "template does not compile: " + e.getMessage());
		}
	}

}
