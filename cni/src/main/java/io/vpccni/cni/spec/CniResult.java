package io.vpccni.cni.spec;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An ADD result, independent of spec version; {@link ResultWriter} renders it for the version the
 * runtime asked for and {@link ResultReader} reads any supported version back (prevResult).
 * Addresses are kept as text, checked for syntax on construction.
 */
public record CniResult(List<Interface> interfaces, List<IpConfig> ips, List<Route> routes, Dns dns) {
    public CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        Objects.requireNonNull(dns, "dns");
        for (IpConfig ip : ips) {
            if (ip.interfaceIndex().isPresent()
                    && ip.interfaceIndex().getAsInt() >= interfaces.size()) {
                throw new IllegalArgumentException("ip " + ip.address() + " refers to interface "
                        + ip.interfaceIndex().getAsInt() + " of " + interfaces.size());
            }
        }
    }

    /**
     * {@code mac} is free text on purpose: aws-vpc-cni stores the route table id there so DEL can
     * work from prevResult alone, and we keep that contract.
     */
    public record Interface(String name, Optional<String> mac, Optional<String> sandbox,
            OptionalInt mtu) {
        public Interface {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("interface name must not be empty");
            }
            Objects.requireNonNull(mac, "mac");
            Objects.requireNonNull(sandbox, "sandbox");
            Objects.requireNonNull(mtu, "mtu");
        }

        public static Interface of(String name, String mac, String sandbox) {
            return new Interface(name, nonEmpty(mac), nonEmpty(sandbox), OptionalInt.empty());
        }
    }

    /** An address in CIDR form, e.g. 10.0.1.17/32, on the interface at {@code interfaceIndex}. */
    public record IpConfig(String address, Optional<String> gateway, OptionalInt interfaceIndex) {
        public IpConfig {
            if (address == null || !IpText.isCidr(address)) {
                throw new IllegalArgumentException("'" + address + "' is not an address in CIDR form");
            }
            if (gateway.isPresent() && !IpText.isIp(gateway.get())) {
                throw new IllegalArgumentException("gateway '" + gateway.get() + "' is not an IP");
            }
            if (interfaceIndex.isPresent() && interfaceIndex.getAsInt() < 0) {
                throw new IllegalArgumentException("interface index must not be negative");
            }
        }

        public static IpConfig of(String address, String gateway, int interfaceIndex) {
            return new IpConfig(address, nonEmpty(gateway), OptionalInt.of(interfaceIndex));
        }

        /** The same address without an interface index (IPAM-style results have none). */
        public IpConfig withoutInterface() {
            return new IpConfig(address, gateway, OptionalInt.empty());
        }

        public boolean isIpv6() {
            return IpText.isIpv6Cidr(address);
        }
    }

    /** mtu, table, scope and priority exist from spec 1.1.0 and are dropped for older versions. */
    public record Route(String dst, Optional<String> gw, OptionalInt mtu, OptionalInt table,
            OptionalInt scope, OptionalInt priority) {
        public Route {
            if (dst == null || !IpText.isCidr(dst)) {
                throw new IllegalArgumentException("route dst '" + dst + "' is not in CIDR form");
            }
            if (gw.isPresent() && !IpText.isIp(gw.get())) {
                throw new IllegalArgumentException("route gw '" + gw.get() + "' is not an IP");
            }
            Objects.requireNonNull(mtu, "mtu");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(priority, "priority");
        }

        public static Route of(String dst, String gw) {
            return new Route(dst, nonEmpty(gw), OptionalInt.empty(), OptionalInt.empty(),
                    OptionalInt.empty(), OptionalInt.empty());
        }
    }

    public record Dns(List<String> nameservers, Optional<String> domain, List<String> search,
            List<String> options) {
        public static final Dns EMPTY = new Dns(List.of(), Optional.empty(), List.of(), List.of());

        public Dns {
            nameservers = List.copyOf(nameservers);
            Objects.requireNonNull(domain, "domain");
            search = List.copyOf(search);
            options = List.copyOf(options);
        }
    }

    private static Optional<String> nonEmpty(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
}
