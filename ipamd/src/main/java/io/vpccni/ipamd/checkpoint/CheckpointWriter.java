package io.vpccni.ipamd.checkpoint;

import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Group commit for the checkpoint: concurrent {@link #persist} calls share one write and one fsync.
 *
 * <p>Every add and del reply waits for the checkpoint (docs/wire-formats.md section 1, "Durability"), and
 * an fsync costs milliseconds, so 50 concurrent adds each paying their own would queue for tens of
 * milliseconds. Instead
 * callers that arrive while a write is in flight form the next batch; when the write ends, one of them takes
 * a single snapshot, which covers every change made before any of them called, and writes it.
 *
 * <p>The snapshot supplier runs on whichever caller's thread leads the batch, without this class's lock.
 * Callers must therefore not hold a lock that the supplier needs (typically the datastore's) while calling
 * {@link #persist}: change the state, release the lock, then persist.
 */
public final class CheckpointWriter {

    private final CheckpointStore store;
    private final ReentrantLock lock = new ReentrantLock();
    /** Callers waiting for a write that has not started yet; null when there are none. */
    private Batch next;
    private boolean writing;

    public CheckpointWriter(CheckpointStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Returns once a checkpoint taken from {@code snapshot} (or from a supplier passed by a concurrent
     * caller) after this call began has been written durably, so it includes every change the caller made
     * before calling.
     *
     * <p>Waiting is not interruptible: it lasts one write at most, and a caller that gave up could not tell
     * whether its change is durable.
     *
     * @throws CheckpointException when that write, or taking the snapshot, failed; every caller of the batch
     *         gets it
     */
    public void persist(Supplier<Checkpoint> snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        Batch batch;
        lock.lock();
        try {
            if (next == null) {
                next = new Batch(lock.newCondition());
            }
            batch = next;
            batch.join(snapshot);
            while (!batch.finished) {
                if (!writing && next == batch) {
                    lead(batch);
                } else {
                    batch.waitingCallers++;
                    batch.changed.awaitUninterruptibly();
                    batch.waitingCallers--;
                }
            }
        } finally {
            lock.unlock();
        }
        batch.throwIfFailed();
    }

    /** Callers queued behind the write in flight; lets tests know a batch has formed without sleeping. */
    int queuedCallers() {
        lock.lock();
        try {
            return next == null ? 0 : next.waitingCallers;
        } finally {
            lock.unlock();
        }
    }

    /** Writes {@code batch}; entered and left with the lock held, which is released during the write. */
    private void lead(Batch batch) {
        writing = true;
        next = null; // later callers form a new batch: this one's snapshot may already be taken
        Supplier<Checkpoint> snapshot = batch.snapshot;
        Throwable failure = null;
        // FileChannel gives up when its thread is interrupted; an interrupt meant for the leader's own
        // request must not fail the write that every caller in the batch is waiting for.
        boolean interrupted = Thread.interrupted();
        lock.unlock();
        try {
            store.write(snapshot.get());
        } catch (Throwable t) {
            failure = t;
        } finally {
            lock.lock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        writing = false;
        batch.finish(failure);
        batch.changed.signalAll();
        if (next != null) {
            next.changed.signal(); // one of them leads; the rest sleep on until their write is done
        }
    }

    /** Callers that share one write. Guarded by the writer's lock until finished, then immutable. */
    private static final class Batch {
        /** Signalled when this batch is finished, or may start because the previous write ended. */
        private final Condition changed;
        private Supplier<Checkpoint> snapshot;
        private int waitingCallers;
        private boolean finished;
        private Throwable failure;

        Batch(Condition changed) {
            this.changed = changed;
        }

        void join(Supplier<Checkpoint> snapshot) {
            this.snapshot = snapshot; // any member's will do: it is called once, after the batch closed
        }

        void finish(Throwable failure) {
            this.finished = true;
            this.failure = failure;
        }

        void throwIfFailed() {
            switch (failure) {
                case null -> { }
                case CheckpointException e -> throw e.rethrownHere();
                case Error e -> throw e;
                default -> throw new CheckpointException(CheckpointException.Reason.WRITE_FAILED, null,
                        "the snapshot could not be taken or written", failure);
            }
        }
    }
}
