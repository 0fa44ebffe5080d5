package io.vpccni.ipamd.checkpoint;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The checkpoint as a JSON file, by default aws-vpc-cni's own {@value #DEFAULT_LOCATION}.
 *
 * <p>A write goes to a temporary file in the same directory (a rename is atomic only within one file
 * system), is fsynced, renamed over the checkpoint and then the directory is fsynced so that the rename
 * itself is durable. A reader therefore sees the old file or the new one, never a mix, whenever the process
 * or the machine dies. aws-vpc-cni does the same minus the directory fsync.
 *
 * <p>Temporary files are named like upstream's ({@code ipam.json.tmp*}), so leftovers of a crash, ours or
 * aws-node's, are recognised: they never hold an acknowledged state (the rename had not happened) and are
 * deleted by {@link #read()} and before the first write.
 *
 * <p>Mode 0600, as upstream gets from Go's {@code ioutil.TempFile}: the file names every pod on the node.
 */
public final class JsonFileCheckpointStore implements CheckpointStore {

    public static final String DEFAULT_LOCATION = "/var/run/aws-node/ipam.json";

    private static final System.Logger LOG = System.getLogger(JsonFileCheckpointStore.class.getName());
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final Set<StandardOpenOption> NEW_FILE =
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

    private final Path file;
    private final Path directory;
    private final String tempPrefix;
    /** Serialises writes and temp-file sweeps; readers need no lock since the rename is atomic. */
    private final ReentrantLock lock = new ReentrantLock();
    private boolean swept;

    public JsonFileCheckpointStore(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.directory = this.file.getParent();
        this.tempPrefix = this.file.getFileName() + ".tmp";
    }

    public static JsonFileCheckpointStore atDefaultLocation() {
        return new JsonFileCheckpointStore(Path.of(DEFAULT_LOCATION));
    }

    public Path file() {
        return file;
    }

    @Override
    public void write(Checkpoint checkpoint) {
        if (!Checkpoint.CURRENT_VERSION.equals(checkpoint.version())) {
            throw new IllegalArgumentException("refusing to write format " + checkpoint.version()
                    + "; only " + Checkpoint.CURRENT_VERSION + " is readable by us and by aws-vpc-cni");
        }
        byte[] json = CheckpointJson.encode(checkpoint); // outside the lock: concurrent writers overlap this
        lock.lock();
        try {
            if (!swept) {
                sweepTempFiles();
            }
            replaceDurably(json);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Checkpoint> read() {
        lock.lock();
        try {
            sweepTempFiles();
        } finally {
            lock.unlock();
        }
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new CheckpointException(CheckpointException.Reason.UNREADABLE, file, "reading failed", e);
        }
        return Optional.of(CheckpointJson.decode(json, file));
    }

    private void replaceDurably(byte[] json) {
        Path temp = directory.resolve(tempPrefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        try {
            writeAndSync(temp, json);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            throw new CheckpointException(CheckpointException.Reason.WRITE_FAILED, file,
                    "could not write and rename " + temp.getFileName(), e);
        }
        try {
            syncDirectory();
        } catch (IOException e) {
            throw new CheckpointException(CheckpointException.Reason.WRITE_FAILED, file,
                    "renamed, but the directory could not be synced, so the rename may not survive a power loss",
                    e);
        }
    }

    private void writeAndSync(Path temp, byte[] json) throws IOException {
        try (FileChannel channel = openNew(temp)) {
            ByteBuffer buffer = ByteBuffer.wrap(json);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private FileChannel openNew(Path temp) throws IOException {
        try {
            return FileChannel.open(temp, NEW_FILE, OWNER_ONLY);
        } catch (NoSuchFileException e) {
            Files.createDirectories(directory); // first write on this node; checked lazily to save a stat per write
            return FileChannel.open(temp, NEW_FILE, OWNER_ONLY);
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** Deletes what an interrupted write left; called with the lock held, so never one of ours in flight. */
    private void sweepTempFiles() {
        swept = true;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory,
                p -> p.getFileName().toString().startsWith(tempPrefix))) {
            for (Path leftover : leftovers) {
                LOG.log(Level.INFO, "removing {0}, left by an interrupted checkpoint write", leftover);
                deleteQuietly(leftover);
            }
        } catch (NoSuchFileException e) {
            // no directory yet, so nothing left over
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not list " + directory + " for leftover temporary files", e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not delete " + path, e);
        }
    }
}
