package io.vpccni.ipamd.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.checkpoint.JsonFileCheckpointStore;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.state.PoolCheckpoint;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.AttachmentKey;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.GcRequest;
import io.vpccni.rpc.message.ReasonCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the daemon restores its checkpoint the socket already listens and every request is refused (an ADD once
 * the add's wait is over without the daemon becoming ready), so that a DEL is retried by the runtime instead of
 * being answered by the plugin alone (which would leak the address once the restore brings it back). The pool maintainer is not needed on this path: it is passed as null on purpose, and a
 * handler that touched it while starting would fail this test.
 */
class IpamHandlerWhileStartingTest {

    @TempDir
    Path dir;

    @Test
    void refusesAddDelAndGcUntilReadyAndChangesNothing() throws Exception {
        Datastore datastore = new Datastore(Clock.systemUTC(), Duration.ZERO);
        Path file = dir.resolve("ipam.json");
        IpamHandler handler = new IpamHandler(datastore, null,
                new PoolCheckpoint(datastore, new JsonFileCheckpointStore(file)), () -> false, 9001,
                Duration.ofSeconds(1), RequestCounters.NONE);

        var add = handler.apply(new AddRequest("aws-cni", "c1", "eth0", "/var/run/netns/c1", "default", "p", ""));
        var del = handler.apply(new DelRequest("aws-cni", "c1", "eth0", "default", "p", ""));
        var gc = handler.apply(new GcRequest("aws-cni", List.of(new AttachmentKey("c2", "eth0"))));

        assertThat(List.of(add, del, gc)).allSatisfy(reply -> {
            assertThat(reply).isInstanceOf(Failure.class);
            assertThat(((Failure) reply).reason()).isEqualTo(ReasonCode.NOT_READY);
            assertThat(((Failure) reply).retryable()).isTrue();
        });
        assertThat(datastore.allocations()).isEmpty();
        assertThat(Files.exists(file)).as("no checkpoint written while starting").isFalse();
    }
}
