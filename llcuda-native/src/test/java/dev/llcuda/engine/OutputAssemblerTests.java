package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class OutputAssemblerTests {

	private static final TableDecoder WORDS = new TableDecoder(
			Map.of(10, "Hel", 11, "lo ", 12, "wor", 13, "ld", 14, "!"));

	private static final int EOS = 2;

	private final CollectingSubscriber subscriber = new CollectingSubscriber();

	private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();

	private OutputAssembler assembler(String... stops) {
		PieceStream stream = new PieceStream(Runnable::run, () -> {
		});
		stream.subscribe(subscriber);
		return new OutputAssembler(5, Set.of(EOS), WORDS.newDecoder(), new StopStrings(List.of(stops)), stream, result,
				Runnable::run, EngineListener.NONE, System.nanoTime());
	}

	@Test
	void stopStringAcrossTokensIsNeverEmittedNorTheTextBeforeItLost() {
		OutputAssembler out = assembler("lo wo");
		assertFalse(out.accept(10, false));
		assertFalse(out.accept(11, false));
		assertTrue(out.accept(12, false));
		out.finish(FinishReason.STOP, null);
		assertEquals(List.of(new TokenPiece("He", 10), new TokenPiece("l", 11), new TokenPiece("", 12)),
				subscriber.pieces);
		assertEquals(new GenerationResult("Hel", 5, 3, FinishReason.STOP, java.util.Optional.empty()), result.join());
		assertTrue(subscriber.completed);
	}

	@Test
	void heldBackTextIsReleasedWhenTheMatchFails() {
		OutputAssembler out = assembler("lo wo");
		out.accept(10, false);
		out.accept(11, false);
		assertFalse(out.accept(13, false));
		assertEquals("Hello ld", subscriber.text());
	}

	@Test
	void lastTokenReleasesEverythingHeldBack() {
		OutputAssembler out = assembler("lo wo");
		assertFalse(out.accept(10, true));
		out.finish(FinishReason.LENGTH, null);
		assertEquals(List.of(new TokenPiece("Hel", 10)), subscriber.pieces);
		assertEquals("Hel", result.join().text());
	}

	@Test
	void earliestOfSeveralStopStringsWins() {
		OutputAssembler out = assembler("ld", "o w");
		out.accept(10, false);
		out.accept(11, false);
		assertTrue(out.accept(12, false));
		assertEquals("Hell", subscriber.text());
	}

	@Test
	void endOfGenerationTokenEndsWithoutText() {
		OutputAssembler out = assembler();
		out.accept(10, false);
		assertTrue(out.accept(EOS, false));
		out.finish(FinishReason.STOP, null);
		assertEquals(List.of(new TokenPiece("Hel", 10)), subscriber.pieces);
		assertEquals(2, result.join().generatedTokens());
	}

	@Test
	void errorEndsTheStreamWithTheCause() {
		OutputAssembler out = assembler();
		out.accept(14, false);
		IllegalStateException cause = new IllegalStateException("device lost");
		out.finish(FinishReason.ERROR, cause);
		assertEquals(cause, subscriber.error);
		assertEquals(FinishReason.ERROR, result.join().finishReason());
		assertEquals("!", result.join().text());
	}

}
