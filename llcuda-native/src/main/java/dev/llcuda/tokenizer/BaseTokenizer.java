package dev.llcuda.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What every tokenizer model shares: cutting out special tokens, BOS/EOS, and rendering
 * tokens as bytes. Subclasses encode plain text fragments and say how a normal token is
 * spelled.
 */
abstract class BaseTokenizer implements Tokenizer {

	final TokenTable table;

	private final byte[][] pieces;

	BaseTokenizer(TokenTable table, PieceSpelling spelling) {
		this.table = table;
		this.pieces = new byte[table.size()][];
		for (int id = 0; id < pieces.length; id++) {
			pieces[id] = render(table, id, spelling);
		}
	}

	/** How normal tokens of a model turn into bytes. */
	interface PieceSpelling {

		byte[] bytesOf(String tokenText);

	}

	private static byte[] render(TokenTable table, int id, PieceSpelling spelling) {
		String text = table.text(id);
		return switch (table.type(id)) {
			case NORMAL -> spelling.bytesOf(text);
			case USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
			case BYTE -> byteTokenValue(text);
			default -> new byte[0]; // control, unknown, unused and undefined tokens
									// render as nothing
		};
	}

	/**
	 * The byte of a byte-fallback token {@code <0xXX>}; other spellings render as their
	 * text.
	 */
	private static byte[] byteTokenValue(String text) {
		if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
			try {
				return new byte[] { (byte) Integer.parseInt(text.substring(3, 5), 16) };
			}
			catch (NumberFormatException e) {
				// falls through: not a byte spelling
			}
		}
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Appends the ids of the plain text {@code text[start, end)}.
	 * @param afterSpecial the fragment starts the input or follows a special token
	 */
	abstract void encodeText(String text, int start, int end, boolean afterSpecial, IntList out);

	@Override
	public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
		return encode(text, addSpecial, parseSpecial, false);
	}

	@Override
	public String quote(String text) {
		return QuotedText.quote(text, table);
	}

	@Override
	public int[] encodePrompt(String prompt, boolean addSpecial) {
		return encode(prompt, addSpecial, true, true);
	}

	private int[] encode(String text, boolean addSpecial, boolean parseSpecial, boolean quoted) {
		IntList out = new IntList(text.length() / 3 + 4);
		if (addSpecial) {
			prefixToken().ifPresent(out::add);
		}
		boolean afterSpecial = true;
		for (Fragment fragment : Fragment.partition(text, table, parseSpecial, quoted)) {
			if (!fragment.isText()) {
				out.add(fragment.token());
				afterSpecial = true;
			}
			else if (quoted) {
				String plain = QuotedText.unquote(text, fragment.start(), fragment.end());
				encodeText(plain, 0, plain.length(), afterSpecial, out);
				afterSpecial = false;
			}
			else {
				encodeText(text, fragment.start(), fragment.end(), afterSpecial, out);
				afterSpecial = false;
			}
		}
		if (addSpecial) {
			suffixToken().ifPresent(out::add);
		}
		return out.toArray();
	}

	/** The token put before the text when special tokens are added. */
	OptionalInt prefixToken() {
		return table.addBos() ? table.bos() : OptionalInt.empty();
	}

	/** The token put after the text when special tokens are added. */
	OptionalInt suffixToken() {
		return table.addEos() ? table.eos() : OptionalInt.empty();
	}

	byte[] piece(int id) {
		if (id < 0 || id >= pieces.length) {
			throw new IllegalArgumentException(
					"token id " + id + " is outside the vocabulary of " + pieces.length + " tokens");
		}
		return pieces[id];
	}

	@Override
	public byte[] tokenBytes(int id) {
		return piece(id).clone();
	}

	@Override
	public String decode(int[] ids) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
		for (int id : ids) {
			bytes.writeBytes(piece(id));
		}
		String text = surface(bytes.toString(StandardCharsets.UTF_8));
		return table.addSpacePrefix() && text.startsWith(" ") ? text.substring(1) : text;
	}

	/**
	 * The text of decoded bytes as the user sees it; SentencePiece turns its space marks
	 * back into spaces here, also those spelled by byte tokens.
	 */
	String surface(String decoded) {
		return decoded;
	}

	@Override
	public StreamingDecoder streamingDecoder() {
		return new StreamingDecoder(this);
	}

	@Override
	public int vocabSize() {
		return table.size();
	}

	@Override
	public String tokenText(int id) {
		if (id < 0 || id >= table.size()) {
			throw new IllegalArgumentException(
					"token id " + id + " is outside the vocabulary of " + table.size() + " tokens");
		}
		return table.text(id);
	}

	@Override
	public boolean hasToken(String text) {
		return table.id(text) >= 0;
	}

	@Override
	public OptionalInt bos() {
		return table.bos();
	}

	@Override
	public OptionalInt eos() {
		return table.eos();
	}

	@Override
	public Set<Integer> endOfGenerationIds() {
		return table.endOfGeneration();
	}

	@Override
	public boolean addBos() {
		return table.addBos();
	}

}
