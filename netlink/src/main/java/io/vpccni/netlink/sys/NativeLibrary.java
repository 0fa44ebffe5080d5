package io.vpccni.netlink.sys;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Loads {@code libvpccni-syscall.so}, the JNI library behind {@link LibC}.
 *
 * <p>Where it comes from: the path in the system property {@value #PATH_PROPERTY} when set (the
 * CNI plugin's launcher and the image's ipamd launcher point it at the installed file, so a pod
 * ADD writes nothing), else the copy built into this jar for the running architecture, written
 * to a private temporary file, loaded and deleted (tests, and any other embedding of the jar).
 */
final class NativeLibrary {
    static final String PATH_PROPERTY = "vpccni.native.library";
    static final String FILE_NAME = "libvpccni-syscall.so";

    private NativeLibrary() {}

    static void load() {
        String configured = System.getProperty(PATH_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            System.load(Path.of(configured).toAbsolutePath().toString());
            return;
        }
        String resource = "linux-" + System.getProperty("os.arch") + "/" + FILE_NAME;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("no " + resource + " in the netlink jar for this architecture, and "
                        + PATH_PROPERTY + " is not set");
            }
            Path copy = Files.createTempFile("vpccni-syscall-", ".so",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                System.load(copy.toString());
            } finally {
                Files.deleteIfExists(copy); // the mapping stays valid after the unlink
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + resource + " to a temporary file", e);
        }
    }
}
