package io.vpccni.it;

import io.vpccni.netlink.testing.Directories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A simulated node's working directory (ipamd's socket, checkpoint and logs), removed when the node goes unless
 * {@code -Dvpccni.keep=true} asks to keep it for a post-mortem.
 */
public final class ScratchDirectory {
    private ScratchDirectory() {}

    public static Path create(String prefix) throws IOException {
        return Files.createTempDirectory(prefix);
    }

    public static boolean keep() {
        return Boolean.getBoolean("vpccni.keep");
    }

    /** Deletes {@code dir} and everything under it, unless {@link #keep()}; a missing directory is fine. */
    public static void delete(Path dir) throws IOException {
        if (!keep()) {
            Directories.deleteRecursively(dir);
        }
    }
}
