package io.vpccni.rpc.message;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** One message of each shape, for the codec's round trips and the socket tests. */
public final class SampleMessages {
    public static final AddRequest ADD = new AddRequest("vpc-cni", "a1b2c3", "eth0", "/proc/42/ns/net",
            "default", "nginx", "1f2e-uid");

    public static Stream<IpamRequest> requests() {
        return Stream.of(
                ADD,
                new AddRequest("vpc-cni", "a1b2c3", "eth0", "/var/run/netns/x", "kube-system",
                        "coredns-1", ""),
                new DelRequest("vpc-cni", "a1b2c3", "eth0", "default", "nginx", "uid"),
                new DelRequest("vpc-cni", "a1b2c3", "eth0", "", "", ""),
                new StatusRequest(),
                new GcRequest("vpc-cni", List.of()),
                new GcRequest("vpc-cni", List.of(new AttachmentKey("c1", "eth0"),
                        new AttachmentKey("c2", "eth1"))));
    }

    public static Stream<IpamReply> replies() {
        return Stream.of(
                new AddOk("10.0.1.17", 32, 0, 254, 9001, "eni-0abc", Optional.empty()),
                new AddOk("10.0.9.3", 32, 2, 3, 1500, "eni-0def", Optional.of("10.0.8.0/21")),
                DelOk.nothingReleased(),
                new DelOk(Optional.of(new DelOk.Released("10.0.1.17", 1, 2))),
                new StatusOk(true, "", 14),
                new StatusOk(false, "ipamd is restoring its checkpoint", 0),
                new GcOk(List.of()),
                new GcOk(List.of(new GcOk.Released(new AttachmentKey("c9", "eth0"), "10.0.2.2"))),
                Failure.of(ReasonCode.POOL_EMPTY_SUBNET_EXHAUSTED, "subnet-0abc has no free address"),
                new Failure(ReasonCode.INTERNAL, "boom", true));
    }

    private SampleMessages() {}
}
