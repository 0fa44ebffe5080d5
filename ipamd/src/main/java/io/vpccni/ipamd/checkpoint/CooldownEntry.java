package io.vpccni.ipamd.checkpoint;

import java.util.Objects;
import java.util.Optional;

/**
 * A released address that must not be handed out again until releasedAt + IP_COOLDOWN_PERIOD, so that a
 * restart in the middle of a cooldown does not shorten it (docs/architecture.md, "State and crash safety").
 * Our addition to the format; aws-vpc-cni keeps cooldown in memory only and ignores these.
 *
 * @param releasedAtNanos unix time in nanoseconds, like allocationTimestamp
 * @param eniId           the ENI that holds the address, when known
 */
public record CooldownEntry(Optional<String> ipv4, Optional<String> ipv6, long releasedAtNanos,
                            Optional<String> eniId) {

    public CooldownEntry {
        ipv4 = CheckpointEntry.nonEmpty(ipv4, "ipv4");
        ipv6 = CheckpointEntry.nonEmpty(ipv6, "ipv6");
        eniId = CheckpointEntry.nonEmpty(eniId, "eniId");
        if (ipv4.isPresent() == ipv6.isPresent()) {
            throw new IllegalArgumentException("a cooldown entry needs exactly one of ipv4 and ipv6, got "
                    + ipv4.orElse("-") + " / " + ipv6.orElse("-"));
        }
    }

    public static CooldownEntry ipv4(String address, long releasedAtNanos) {
        return new CooldownEntry(Optional.of(address), Optional.empty(), releasedAtNanos, Optional.empty());
    }

    public static CooldownEntry ipv6(String address, long releasedAtNanos) {
        return new CooldownEntry(Optional.empty(), Optional.of(address), releasedAtNanos, Optional.empty());
    }

    public CooldownEntry withEni(String eniId) {
        return new CooldownEntry(ipv4, ipv6, releasedAtNanos, Optional.of(eniId));
    }

    /** The address, whichever family it is. */
    public String address() {
        return ipv4.or(() -> ipv6).orElseThrow();
    }
}
