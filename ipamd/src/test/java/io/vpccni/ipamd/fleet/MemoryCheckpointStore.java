package io.vpccni.ipamd.fleet;

import io.vpccni.ipamd.checkpoint.Checkpoint;
import io.vpccni.ipamd.checkpoint.CheckpointStore;
import java.util.Optional;

/** A simulated node's checkpoint file: what the last write left, read by the next ipamd on the node. */
final class MemoryCheckpointStore implements CheckpointStore {

    private volatile Checkpoint stored;

    @Override
    public void write(Checkpoint checkpoint) {
        stored = checkpoint;
    }

    @Override
    public Optional<Checkpoint> read() {
        return Optional.ofNullable(stored);
    }
}
