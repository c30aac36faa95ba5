package dev.llcuda.tokenizer;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The byte-level BPE pre-tokenizers llama.cpp selects by {@code tokenizer.ggml.pre}:
 * splitters applied one after another (each splits every word of the previous one), plus
 * two flags of the family.
 */
enum PreTokenizer {

	DEFAULT(false, false, new RegexSplitter("[\\p{P}$+<=>^~|]+"), Gpt2Splitter.INSTANCE, new RegexSplitter("\\p{N}+"),
			new RegexSplitter("[0-9][0-9][0-9]")),
	GPT2(false, false, Gpt2Splitter.INSTANCE),
	/** Llama 3: words that are whole tokens skip the merges; BOS is added by default. */
	LLAMA3(true, true, Llama3Splitter.LLAMA3),
	/** The Llama 3 regex without Llama 3's token handling (DBRX, Smaug, ChatGLM-4). */
	LLAMA3_REGEX(false, false, Llama3Splitter.LLAMA3), QWEN2(false, false, Llama3Splitter.QWEN2),
	STARCODER(false, false, new RegexSplitter("\\p{N}"), Gpt2Splitter.INSTANCE),
	FALCON(false, false, new RegexSplitter("[\\p{P}$+<=>^~|`]+"), Gpt2Splitter.INSTANCE,
			new RegexSplitter("[0-9][0-9][0-9]")),
	DEEPSEEK_LLM(false, false, new RegexSplitter("[\r\n]"), new RegexSplitter(
			"\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\uD801\uDC00-\uD801\uDC4F\uD801\uDCB0-\uD801\uDCD3\uD801\uDCD8-\uD801\uDCFB\uD803\uDC80-\uD803\uDCB2\uD803\uDCC0-\uD803\uDCF2\uD806\uDCA0-\uD806\uDCDF\uD83A\uDD00-\uD83A\uDD43]+"),
			new RegexSplitter("\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+"),
			new RegexSplitter("\\s+\\z"), new RegexSplitter("[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+"),
			new RegexSplitter("\\p{N}+")),
	DEEPSEEK_CODER(false, false, new RegexSplitter("[\r\n]"), new RegexSplitter("\\s?\\p{L}+"),
			new RegexSplitter("\\s?\\p{P}+"), new RegexSplitter("[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+"),
			new RegexSplitter("\\p{N}"));

	/**
	 * {@code tokenizer.ggml.pre} values and the pre-tokenizer llama.cpp uses for each.
	 */
	private static final Map<String, PreTokenizer> BY_NAME = Map.ofEntries(Map.entry("", DEFAULT),
			Map.entry("default", DEFAULT), Map.entry("gpt-2", GPT2), Map.entry("phi-2", GPT2), Map.entry("mpt", GPT2),
			Map.entry("olmo", GPT2), Map.entry("jais", GPT2), Map.entry("jina-es", GPT2), Map.entry("jina-de", GPT2),
			Map.entry("llama3", LLAMA3), Map.entry("llama-v3", LLAMA3), Map.entry("llama-bpe", LLAMA3),
			Map.entry("falcon3", LLAMA3), Map.entry("pixtral", LLAMA3), Map.entry("dbrx", LLAMA3_REGEX),
			Map.entry("smaug-bpe", LLAMA3_REGEX), Map.entry("chatglm-bpe", LLAMA3_REGEX),
			Map.entry("glm4", LLAMA3_REGEX), Map.entry("qwen2", QWEN2), Map.entry("deepseek-r1-qwen", QWEN2),
			Map.entry("stablelm2", QWEN2), Map.entry("megrez", QWEN2), Map.entry("starcoder", STARCODER),
			Map.entry("refact", STARCODER), Map.entry("command-r", STARCODER), Map.entry("smollm", STARCODER),
			Map.entry("codeshell", STARCODER), Map.entry("exaone", STARCODER), Map.entry("minerva-7b", STARCODER),
			Map.entry("falcon", FALCON), Map.entry("deepseek-llm", DEEPSEEK_LLM),
			Map.entry("deepseek-coder", DEEPSEEK_CODER));

	private final boolean wholeWordTokens;

	private final boolean addsBos;

	private final List<Splitter> splitters;

	PreTokenizer(boolean wholeWordTokens, boolean addsBos, Splitter... splitters) {
		this.wholeWordTokens = wholeWordTokens;
		this.addsBos = addsBos;
		this.splitters = List.of(splitters);
	}

	static PreTokenizer forName(String name) {
		PreTokenizer pre = BY_NAME.get(name);
		if (pre == null) {
			throw new IllegalArgumentException("unsupported pre-tokenizer '" + name + "' (tokenizer.ggml.pre); "
					+ "supported: " + new TreeSet<>(BY_NAME.keySet()));
		}
		return pre;
	}

	/**
	 * Whether a word that is itself a token is emitted whole, without running the merges
	 * (llama.cpp's ignore_merges).
	 */
	boolean wholeWordTokens() {
		return wholeWordTokens;
	}

	/** Whether BOS is added unless the metadata says otherwise. */
	boolean addsBos() {
		return addsBos;
	}

	/** Appends the end offsets of the words of {@code text[start, end)}. */
	void split(String text, int start, int end, IntList wordEnds, IntList scratch) {
		int first = wordEnds.size();
		splitters.get(0).split(text, start, end, wordEnds);
		for (int i = 1; i < splitters.size(); i++) {
			scratch.clear();
			int wordStart = start;
			for (int w = first; w < wordEnds.size(); w++) {
				int wordEnd = wordEnds.get(w);
				splitters.get(i).split(text, wordStart, wordEnd, scratch);
				wordStart = wordEnd;
			}
			wordEnds.truncate(first);
			wordEnds.addAll(scratch);
		}
	}

}
