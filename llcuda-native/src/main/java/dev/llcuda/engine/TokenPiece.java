package dev.llcuda.engine;

/**
 * One streamed piece: the text a generated token completed (may be empty while a multi-byte
 * character or a possible stop string is held back) and the token's id.
 */
public record TokenPiece(String text, int tokenId) {
}
