package io.vpccni.ipamd.introspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.config.ConfigKeys;
import io.vpccni.ipamd.config.IpamdConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigViewTest {

    @Test
    void everyKeyHasAValue() {
        assertThat(ConfigView.VALUES.keySet()).containsExactlyInAnyOrderElementsOf(ConfigKeys.ALL);
    }

    @Test
    void valuesAreWrittenInTheVariablesOwnSyntax() {
        IpamdConfig config = IpamdConfig.fromEnvironment(Map.of(
                "WARM_IP_TARGET", "5", "VPC_CNI_ADD_WAIT", "1500ms", "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS",
                "10.1.0.0/16,10.2.0.0/16", "ADDITIONAL_ENI_TAGS", "{\"team\":\"a\"}", "CLUSTER_NAME", "prod"));

        Map<String, String> values = ConfigView.of(config).settings().stream()
                .collect(java.util.stream.Collectors.toMap(ConfigView.Setting::name, ConfigView.Setting::value));

        assertThat(values).containsEntry("WARM_IP_TARGET", "5")
                .containsEntry("VPC_CNI_ADD_WAIT", "1500ms")
                .containsEntry("IP_COOLDOWN_PERIOD", "30")
                .containsEntry("AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS", "10.1.0.0/16,10.2.0.0/16")
                .containsEntry("ADDITIONAL_ENI_TAGS", "{\"team\":\"a\"}")
                .containsEntry("CLUSTER_NAME", "prod")
                .containsEntry("MY_NODE_NAME", "")
                .containsEntry("AWS_VPC_K8S_CNI_CONNMARK", "0x80")
                .containsEntry("AWS_VPC_K8S_CNI_RANDOMIZESNAT", "prng")
                .containsEntry("AWS_VPC_K8S_CNI_BACKING_STORE", "/var/run/aws-node/ipam.json")
                .containsEntry("ENABLE_IPv6", "false");
    }
}
