package io.vpccni.ipamd.checkpoint;

import java.nio.file.Path;

/**
 * The child process of {@link CheckpointCrashTest}: continues from the checkpoint it finds and writes ever
 * longer ones (n pods for the n-th) until it is killed, printing "written n" each time a write returned.
 * Starting from the file also exercises start-up after a kill: the read must parse and sweep leftovers.
 */
final class CrashingWriterMain {

    private CrashingWriterMain() {}

    public static void main(String[] args) {
        var store = new JsonFileCheckpointStore(Path.of(args[0]));
        int n = store.read().map(c -> c.allocations().size()).orElse(0);
        System.out.println("start " + n);
        System.out.flush();
        while (true) {
            n++;
            store.write(Samples.withPods(n));
            System.out.println("written " + n);
            System.out.flush();
        }
    }
}
