package io.vpccni.rpc.unix;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Filesystem side of the server socket: parent directory, stale file, permissions. The socket is
 * bound under a temporary name, made 0600, then renamed into place, so no client can ever connect
 * through a socket with looser permissions (bind applies the umask, not our mode).
 */
final class SocketFiles {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketFiles() {}

    static ServerSocketChannel bind(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent);
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx------"));
        }
        removeStale(path);
        Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(temp), 128);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Identity of the file we bound, so close() deletes ours and not a successor's. */
    static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A socket file left by a dead ipamd is removed. A live one (something accepts) is not: two
     * daemons handing out addresses from one node would assign an IP twice. Anything that is not
     * a socket is left alone too, since deleting it would be a surprise.
     */
    private static void removeStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException("refusing to replace " + path + ": it exists and is not a socket");
        }
        boolean live;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            live = probe.connect(UnixDomainSocketAddress.of(path));
        } catch (SocketException refused) {
            live = false;
        }
        if (live) {
            throw new IOException("another server is already listening on " + path);
        }
        Files.deleteIfExists(path);
    }
}
