package dev.llcuda.cli;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.tokenizer.Tokenizer;
import dev.llcuda.tokenizer.VocabTestFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code llcuda tokenize --vocab VOCAB.gguf --inp FILE}: tokenizes the strings of a
 * llama.cpp {@code .inp} test file without BOS/EOS and prints one {@code .out} line per
 * string.
 */
final class TokenizeCommand implements Command {

	@Override
	public String summary() {
		return "tokenize the strings of a llama.cpp .inp file, printing .out lines";
	}

	@Override
	public String usage() {
		return "--vocab VOCAB.gguf --inp FILE";
	}

	@Override
	public int run(Arguments args, PrintStream out, PrintStream err) throws Exception {
		Path vocab = Path.of(args.required("--vocab"));
		Path inp = Path.of(args.required("--inp"));
		Tokenizer tokenizer = load(vocab);
		for (String text : inputs(inp)) {
			out.println(VocabTestFile.formatIds(tokenizer.encode(text, false, false)));
		}
		return 0;
	}

	private static Tokenizer load(Path vocab) throws IOException {
		try (GgufFile gguf = GgufFile.open(vocab)) {
			return Tokenizer.fromGguf(gguf.metadata());
		}
	}

	private static List<String> inputs(Path inp) throws IOException {
		try {
			return VocabTestFile.parseInputs(Files.readString(inp));
		}
		catch (CharacterCodingException e) {
			throw new IOException(inp + " is not valid UTF-8", e);
		}
	}

}
