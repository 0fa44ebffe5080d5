package io.vpccni.cni.spec;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The plugin's network configuration from stdin. {@code cniVersion} is the negotiated version (see
 * {@link CniVersion}); {@code runtimeConfig} is kept as raw JSON; {@code validAttachments} is
 * present only when the runtime sent a GC list ({@code cni.dev/valid-attachments}, or the older
 * {@code cni.dev/attachments}), so an absent list is never mistaken for "keep nothing".
 * Fields we do not know (ipam, dns, capabilities, podSGEnforcingMode, ...) are ignored.
 */
public record NetConf(
        CniVersion cniVersion,
        String name,
        String type,
        OptionalInt mtu,
        String vethPrefix,
        Optional<String> pluginLogFile,
        Optional<String> pluginLogLevel,
        Optional<String> runtimeConfig,
        Optional<CniResult> prevResult,
        Optional<List<Attachment>> validAttachments) {
    /** aws-vpc-cni's AWS_VPC_K8S_CNI_VETHPREFIX default. */
    public static final String DEFAULT_VETH_PREFIX = "eni";
    /** IPv4's minimum MTU (RFC 791) to the largest an ENI carries (jumbo frames). */
    public static final int MIN_MTU = 576;
    public static final int MAX_MTU = 9001;

    public NetConf {
        Objects.requireNonNull(cniVersion, "cniVersion");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(vethPrefix, "vethPrefix");
        if (validAttachments.isPresent()) {
            validAttachments = Optional.of(List.copyOf(validAttachments.get()));
        }
    }

    /** One GC attachment to keep: the runtime's {@code containerID} and {@code ifname}. */
    public record Attachment(String containerId, String ifName) {}

    /**
     * @throws CniError 6 for input that is not one JSON object, 7 for an invalid configuration,
     *     1 when no requested version is supported
     */
    public static NetConf parse(byte[] stdin) throws CniError {
        return NetConfParser.parse(new String(stdin, StandardCharsets.UTF_8));
    }

    public static NetConf parse(String stdin) throws CniError {
        return NetConfParser.parse(stdin);
    }
}
