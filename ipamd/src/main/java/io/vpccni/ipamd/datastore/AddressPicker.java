package io.vpccni.ipamd.datastore;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Chooses the address for a new pod, deterministically, so that pods pack together:
 * <ol>
 *   <li>ENIs in the order given (device index ascending: the primary ENI first);</li>
 *   <li>within the first ENI that has a free address, a /28 prefix before a /32 secondary IP, then the CIDR with
 *       the fewest free addresses (the fullest prefix), ties broken by the lower CIDR;</li>
 *   <li>within that CIDR, the lowest free address.</li>
 * </ol>
 * Packing keeps whole /28 prefixes and whole spare ENIs empty, so the warm-pool policy can give them back. An ENI
 * holds both kinds only after a prefix fallback (EC2 had no free /28); its /32s are used last so that they stay
 * unused and go back first: each takes a slot of the ENI for one address where a prefix gives sixteen.
 */
final class AddressPicker {

    private final List<EniInfo> enis;
    private final Function<String, List<Ipv4Cidr>> cidrsOfEni;
    private final Predicate<Ipv4Address> free;

    AddressPicker(List<EniInfo> enis, Function<String, List<Ipv4Cidr>> cidrsOfEni, Predicate<Ipv4Address> free) {
        this.enis = enis;
        this.cidrsOfEni = cidrsOfEni;
        this.free = free;
    }

    Optional<Ipv4Address> pick() {
        for (EniInfo eni : enis) {
            Optional<Ipv4Cidr> fullest = cidrsOfEni.apply(eni.eniId()).stream()
                    .filter(c -> freeCount(c) > 0)
                    .min(Comparator.comparing((Ipv4Cidr c) -> c.prefixLength() == 32)
                            .thenComparingInt(this::freeCount).thenComparing(Comparator.naturalOrder()));
            if (fullest.isPresent()) {
                return lowestFree(fullest.get());
            }
        }
        return Optional.empty();
    }

    private int freeCount(Ipv4Cidr cidr) {
        int count = 0;
        for (int i = 0; i < cidr.size(); i++) {
            if (free.test(cidr.address(i))) {
                count++;
            }
        }
        return count;
    }

    private Optional<Ipv4Address> lowestFree(Ipv4Cidr cidr) {
        for (int i = 0; i < cidr.size(); i++) {
            if (free.test(cidr.address(i))) {
                return Optional.of(cidr.address(i));
            }
        }
        return Optional.empty();
    }
}
