package io.vpccni.ipamd.datastore;

import io.vpccni.netlink.ip.Ipv4Address;
import java.time.Instant;
import java.util.Objects;

/**
 * An address released at {@code releasedAt}; it stays unassignable until releasedAt + IP_COOLDOWN_PERIOD.
 * Exported so that cooldown survives a restart (docs/architecture.md, "State and crash safety").
 */
public record CoolingAddress(Ipv4Address ip, Instant releasedAt) {
    public CoolingAddress {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(releasedAt, "releasedAt");
    }
}
