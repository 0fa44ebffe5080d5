package io.vpccni.rpc.message;

import static io.vpccni.rpc.message.Checks.ipv4;

import java.util.List;
import java.util.Objects;

/** The attachments a GC released, each with the address it held. */
public record GcOk(List<Released> released) implements IpamReply {
    public GcOk {
        released = List.copyOf(released);
    }

    public record Released(AttachmentKey attachment, String ipv4Address) {
        public Released {
            Objects.requireNonNull(attachment, "attachment");
            ipv4("released.ipv4Address", ipv4Address);
        }
    }
}
