package dev.batchline.local.runtime;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;

/**
 * A function's execution environments, as Lambda scales a function out: a call takes an idle
 * sandbox (the one used last first, as Lambda reuses warm ones) or starts another, up to the
 * concurrency given, and past that waits for one to be free.
 */
public final class SandboxPool implements LocalFunction {

    /** Makes the pool's {@code index}th sandbox. */
    public interface Factory {
        LambdaSandbox create(int index);
    }

    private final Factory factory;
    private final Semaphore permits;
    private final LinkedBlockingDeque<LambdaSandbox> idle = new LinkedBlockingDeque<>();
    private final List<LambdaSandbox> sandboxes = new CopyOnWriteArrayList<>();

    public SandboxPool(int concurrency, Factory factory) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("a function needs a concurrency of at least 1, got " + concurrency);
        }
        this.factory = factory;
        this.permits = new Semaphore(concurrency, true);
    }

    @Override
    public Invocation invoke(byte[] payload) throws IOException, InterruptedException {
        permits.acquire();
        LambdaSandbox sandbox = idle.pollFirst();
        if (sandbox == null) {
            sandbox = started();
        }
        try {
            return sandbox.invoke(payload);
        } finally {
            idle.addFirst(sandbox);
            permits.release();
        }
    }

    /** The pool's first sandbox, started for this if none was: what a benchmark boots and times. */
    public synchronized LambdaSandbox first() {
        if (sandboxes.isEmpty()) {
            idle.addFirst(started());
        }
        return sandboxes.get(0);
    }

    public List<LambdaSandbox> sandboxes() {
        return List.copyOf(sandboxes);
    }

    private synchronized LambdaSandbox started() {
        LambdaSandbox sandbox = factory.create(sandboxes.size());
        sandboxes.add(sandbox);
        return sandbox;
    }

    @Override
    public void close() {
        sandboxes.forEach(LambdaSandbox::close);
    }
}
