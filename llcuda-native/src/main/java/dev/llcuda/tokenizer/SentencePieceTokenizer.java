package dev.llcuda.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece BPE ({@code tokenizer.ggml.model = llama}): spaces become U+2581, then neighbouring
 * pieces merge while their union is a token, highest score first (leftmost on ties); pieces left
 * that are not tokens fall back to byte tokens {@code <0xXX>}.
 */
final class SentencePieceTokenizer extends BaseTokenizer {

    static final char SPACE_MARK = '\u2581';

    private final Vocabulary vocabulary;
    private final int[] byteTokens = new int[256];

    SentencePieceTokenizer(Vocabulary vocabulary) {
        super(new TokenTable(vocabulary, ModelDefaults.SENTENCE_PIECE), SentencePieceTokenizer::unescape);
        this.vocabulary = vocabulary;
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = byteToken(b);
        }
    }

    static byte[] unescape(String tokenText) {
        return tokenText.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** {@code <0xXX>}, else the byte itself as a token, else the unknown token (-1 if none). */
    private int byteToken(int b) {
        int id = table.id(String.format("<0x%02X>", b));
        if (id < 0 && b < 0x80) {
            id = table.id(String.valueOf((char) b));
        }
        return id >= 0 ? id : table.unknown().orElse(-1);
    }

    @Override
    void encodeText(String text, int start, int end, boolean afterSpecial, IntList out) {
        String raw = text.substring(start, end);
        String escaped = ((table.addSpacePrefix() && afterSpecial) ? " " + raw : raw).replace(' ', SPACE_MARK);
        new Session(escaped).run(out);
    }

    /** One merge run over one text; symbols are code points joined into a doubly linked list. */
    private final class Session {

        private final String text;
        private final int[] start;
        private final int[] length;
        private final int[] prev;
        private final int[] next;
        private final LongHeap queue = new LongHeap();

        Session(String text) {
            this.text = text;
            int n = text.codePointCount(0, text.length());
            start = new int[n];
            length = new int[n];
            prev = new int[n];
            next = new int[n];
            int offset = 0;
            for (int i = 0; i < n; i++) {
                int chars = Character.charCount(text.codePointAt(offset));
                start[i] = offset;
                length[i] = chars;
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
                offset += chars;
            }
        }

        void run(IntList out) {
            if (start.length == 0) {
                return;
            }
            for (int i = 1; i < start.length; i++) {
                offer(i - 1, i);
            }
            while (!queue.isEmpty()) {
                long entry = queue.pop();
                int left = (int) entry;
                int right = next[left];
                if (length[left] == 0 || right < 0) {
                    continue;
                }
                int token = table.id(text.substring(start[left], start[right] + length[right]));
                if (token < 0 || priority(vocabulary.score(token), left) != entry) {
                    continue; // stale: the pair changed since it was queued
                }
                length[left] += length[right];
                length[right] = 0;
                next[left] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = left;
                }
                offer(prev[left], left);
                offer(left, next[left]);
            }
            for (int i = 0; i != -1; i = next[i]) {
                emit(text.substring(start[i], start[i] + length[i]), out);
            }
        }

        private void offer(int left, int right) {
            if (left < 0 || right < 0) {
                return;
            }
            int token = table.id(text.substring(start[left], start[right] + length[right]));
            if (token >= 0) {
                queue.push(priority(vocabulary.score(token), left));
            }
        }

        private void emit(String piece, IntList out) {
            int token = table.id(piece);
            if (token >= 0) {
                out.add(token);
                return;
            }
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                int id = byteTokens[b & 0xFF];
                if (id >= 0) {
                    out.add(id);
                }
            }
        }
    }

    /** Heap order: higher score first, then the leftmost pair. */
    private static long priority(float score, int left) {
        int bits = Float.floatToIntBits(score);
        int ordered = bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
        return ((long) ~ordered << 32) | left;
    }
}
