package dev.llcuda.engine;

import java.util.List;

/**
 * A test runner that wraps another: everything but what a subclass overrides goes to the
 * delegate.
 */
abstract class ForwardingStepRunner implements StepRunner {

	final StepRunner delegate;

	ForwardingStepRunner(StepRunner delegate) {
		this.delegate = delegate;
	}

	@Override
	public int vocabSize() {
		return delegate.vocabSize();
	}

	@Override
	public int contextLength() {
		return delegate.contextLength();
	}

	@Override
	public int kvBlocks() {
		return delegate.kvBlocks();
	}

	@Override
	public int kvBlockSize() {
		return delegate.kvBlockSize();
	}

	@Override
	public int kvWindow() {
		return delegate.kvWindow();
	}

	@Override
	public void step(List<StepSequence> batch, int[] sampled) {
		delegate.step(batch, sampled);
	}

	@Override
	public void close() {
		delegate.close();
	}

}
