package dev.llcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArgumentsTests {

	@Test
	void parsesNumberOptionsAndFallsBackWhenTheyAreAbsent() throws UsageException {
		Arguments args = new Arguments(new String[] { "-n", "12", "--temp", "0.5", "--seed", "-9000000000" });

		assertEquals(12, args.intOption("-n", 128));
		assertEquals(0.5f, args.floatOption("--temp", 0.8f));
		assertEquals(-9_000_000_000L, args.longOption("--seed", 1));
		assertEquals(40, args.intOption("--top-k", 40));
		assertEquals(0.95f, args.floatOption("--top-p", 0.95f));
	}

	@Test
	void namesTheOptionAndTheValueThatIsNotANumber() throws UsageException {
		Arguments args = new Arguments(new String[] { "-n", "many", "--temp", "hot", "--seed", "1.5" });

		assertEquals("-n must be an integer: many",
				assertThrows(UsageException.class, () -> args.intOption("-n", 128)).getMessage());
		assertEquals("--temp must be a number: hot",
				assertThrows(UsageException.class, () -> args.floatOption("--temp", 0.8f)).getMessage());
		assertEquals("--seed must be an integer: 1.5",
				assertThrows(UsageException.class, () -> args.longOption("--seed", 1)).getMessage());
	}

}
