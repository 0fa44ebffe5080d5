package io.vpccni.ipamd.checkpoint;

import java.util.Optional;

/**
 * Where ipamd keeps its {@link Checkpoint} between runs.
 *
 * <p>Implementations are safe for concurrent use, but concurrent writes land in the order they reach the
 * store, not the order their snapshots were taken, so an older snapshot could replace a newer one. Threads
 * that write should go through {@link CheckpointWriter}, which takes each snapshot just before its write.
 */
public interface CheckpointStore {

    /**
     * Replaces the stored checkpoint. When this returns, the new checkpoint survives a crash of the process
     * or of the machine; if it throws, the stored checkpoint is the previous one or, rarely (the rename was
     * done but could not be made durable), this one.
     *
     * @throws CheckpointException with {@link CheckpointException.Reason#WRITE_FAILED}
     */
    void write(Checkpoint checkpoint);

    /**
     * The stored checkpoint, or empty when none was ever written here (a new node, or a reboot cleared
     * /var/run together with the pods).
     *
     * @throws CheckpointException when a checkpoint exists but cannot be used; never treated as "none"
     */
    Optional<Checkpoint> read();
}
