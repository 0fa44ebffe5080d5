package io.vpccni.ipamd.warmpool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docs/warm-pool.md section 7: every documented row, reproduced by the steady-state simulator. The first
 * column names the row's upstream source: 2.1 aws-vpc-cni's docs/eni-and-ip-target.md, 2.2 its
 * docs/prefix-and-ip-target.md, 2.3 and 2.4 its README, 2.5 the comments of its ipamd.go.
 * Where a doc row and upstream's code disagree, the expected values are the code's (flagged in the doc).
 */
class DocTablesTest {

    @ParameterizedTest(name = "[{index}] {0} {1} WENI={2} WIP={3} MIN={4}, {5} pods -> {6} ENIs, {7} IPs, {8} unused ({9})")
    @CsvSource(nullValues = "-", textBlock = """
            # source,       instance,      WENI, WIP, MIN, pods, ENIs, IPs, unused, IPs per ENI (by device index)
            2.1,            t3.small,      1,    -,   -,   0,    1,    3,   3, 3
            2.1,            t3.small,      1,    -,   -,   5,    3,    9,   4, 3+3+3
            2.1,            t3.small,      1,    -,   -,   9,    3,    9,   0, 3+3+3
            2.1,            t3.small,      -,    1,   1,   0,    1,    1,   1, 1
            2.1,            t3.small,      -,    1,   1,   5,    2,    6,   1, 3+3
            2.1,            t3.small,      -,    1,   1,   9,    3,    9,   0, 3+3+3
            2.1 (code 3+2), t3.small,      -,    2,   5,   0,    2,    5,   5, 3+2
            2.1,            t3.small,      -,    2,   5,   5,    3,    7,   2, 3+3+1
            2.1,            t3.small,      -,    2,   5,   9,    3,    9,   0, 3+3+3
            2.1,            p3dn.24xlarge, 1,    -,   -,   0,    1,    49,  49, 49
            2.1,            p3dn.24xlarge, 1,    -,   -,   3,    2,    98,  95, 49+49
            2.1,            p3dn.24xlarge, 1,    -,   -,   95,   3,    147, 52, 49+49+49
            2.1,            p3dn.24xlarge, -,    5,   10,  0,    1,    10,  10, 10
            2.1,            p3dn.24xlarge, -,    5,   10,  7,    1,    12,  5, 12
            2.1,            p3dn.24xlarge, -,    5,   10,  15,   1,    20,  5, 20
            2.1,            p3dn.24xlarge, -,    5,   10,  45,   2,    50,  5, 49+1
            2.3 0 pods,     m4.4xlarge,    1,    -,   -,   0,    1,    29,  29, 29
            2.3,            m4.4xlarge,    1,    -,   -,   1,    2,    58,  57, 29+29
            2.3,            m4.4xlarge,    1,    -,   -,   29,   2,    58,  29, 29+29
            2.3,            m4.4xlarge,    1,    -,   -,   30,   3,    87,  57, 29+29+29
            2.3,            m4.4xlarge,    1,    -,   -,   58,   3,    87,  29, 29+29+29
            2.3,            m4.4xlarge,    1,    -,   -,   59,   4,    116, 57, 29+29+29+29
            2.4 WENI,       m4.4xlarge,    1,    -,   -,   5,    2,    58,  53, 29+29
            2.4 WIP only,   m4.4xlarge,    -,    30,  -,   30,   3,    60,  30, 29+29+2
            2.4 MIN+WIP,    m4.4xlarge,    -,    2,   30,  30,   2,    32,  2, 29+3
            2.4 WIP=5,      m4.4xlarge,    -,    5,   -,   40,   2,    45,  5, 29+16
            2.5,            m4.4xlarge,    -,    1,   -,   9,    1,    10,  1, 10
            2.5,            m4.4xlarge,    -,    1,   12,  9,    1,    12,  3, 12
            2.5 (code 87),  m4.4xlarge,    2,    -,   -,   9,    3,    87,  78, 29+29+29
            2.5 (code 58),  m4.4xlarge,    1,    -,   -,   9,    2,    58,  49, 29+29
            2.5 WIP unset,  m4.4xlarge,    -,    -,   -,   9,    2,    58,  49, 29+29
            """)
    void secondaryIpModeMatchesUpstreamTotals(String source, String instance, Integer weni, Integer wip, Integer min,
                                              int pods, int enis, int ips, int unused, String perEni) {
        PoolSimulator node = new PoolSimulator(Instances.limits(instance), Instances.secondary(weni, wip, min));

        assertThat(node.scaleTo(pods)).as("pods without an address").isZero();

        assertThat(node.enis()).as("ENIs").isEqualTo(enis);
        assertThat(node.totalAddresses()).as("secondary IPs").isEqualTo(ips);
        assertThat(node.unusedAddresses()).as("unused IPs").isEqualTo(unused);
        assertThat(node.unitsPerEni()).as("IPs per ENI").isEqualTo(perEni);
    }

    @ParameterizedTest(name = "[{index}] {0} {1} WPFX={2} WIP={3} MIN={4}, {5} pods -> {6} ENIs, {7} prefixes")
    @CsvSource(nullValues = "-", textBlock = """
            # source,          instance,      WPFX, WIP, MIN, pods, ENIs, prefixes, unused prefixes, unused IPs, prefixes per ENI
            2.2,               t3.small,      1,    -,   -,   0,    1,    1,        1,               16, 1
            2.2,               t3.small,      1,    -,   -,   5,    1,    2,        1,               27, 2
            2.2,               t3.small,      1,    -,   -,   16,   1,    2,        1,               16, 2
            2.2,               t3.small,      1,    -,   -,   17,   1,    3,        1,               31, 3
            2.2,               t3.small,      1,    -,   -,   58,   2,    5,        1,               22, 3+2
            2.2,               t3.small,      -,    1,   1,   0,    1,    1,        1,               16, 1
            2.2,               t3.small,      -,    1,   1,   5,    1,    1,        0,               11, 1
            2.2,               t3.small,      -,    1,   1,   17,   1,    2,        0,               15, 2
            2.2,               t3.small,      -,    1,   1,   58,   2,    4,        0,               6, 3+1
            2.2 (code: 2 pfx), t3.small,      -,    7,   20,  0,    1,    2,        2,               32, 2
            2.2,               t3.small,      -,    7,   20,  5,    1,    2,        1,               27, 2
            2.2,               t3.small,      -,    7,   20,  17,   1,    2,        0,               15, 2
            2.2,               t3.small,      -,    7,   20,  58,   2,    5,        1,               22, 3+2
            2.2,               p3dn.24xlarge, 1,    -,   -,   0,    1,    1,        1,               16, 1
            2.2 (code 1 ENI),  p3dn.24xlarge, 1,    -,   -,   3,    1,    2,        1,               29, 2
            2.2 (code 1 ENI),  p3dn.24xlarge, 1,    -,   -,   95,   1,    7,        1,               17, 7
            2.2,               p3dn.24xlarge, -,    5,   10,  0,    1,    1,        1,               16, 1
            2.2,               p3dn.24xlarge, -,    5,   10,  7,    1,    1,        0,               9, 1
            2.2,               p3dn.24xlarge, -,    5,   10,  15,   1,    2,        1,               17, 2
            2.2 (code 1 ENI),  p3dn.24xlarge, -,    5,   10,  45,   1,    4,        1,               19, 4
            2.4 WIP=16,        p3dn.24xlarge, -,    16,  -,   0,    1,    1,        1,               16, 1
            2.4 WIP=16,        p3dn.24xlarge, -,    16,  -,   1,    1,    2,        1,               31, 2
            """)
    void prefixModeMatchesUpstreamTotals(String source, String instance, Integer wpfx, Integer wip, Integer min,
                                         int pods, int enis, int prefixes, int unusedPrefixes, int unusedIps,
                                         String perEni) {
        // The doc's t3.small prefix table needs kubelet max-pods >= 65 (docs/warm-pool.md, E9); 110 as the doc's
        // own check.
        int maxPods = instance.equals("t3.small") ? 110 : Instances.limits(instance).maxPods();
        PoolSimulator node = new PoolSimulator(Instances.limits(instance, maxPods), Instances.prefix(wpfx, wip, min));

        assertThat(node.scaleTo(pods)).as("pods without an address").isZero();

        assertThat(node.enis()).as("ENIs").isEqualTo(enis);
        assertThat(node.prefixes()).as("prefixes").isEqualTo(prefixes);
        assertThat(node.unusedPrefixes()).as("unused prefixes").isEqualTo(unusedPrefixes);
        assertThat(node.unusedAddresses()).as("unused IPs").isEqualTo(unusedIps);
        assertThat(node.unitsPerEni()).as("prefixes per ENI").isEqualTo(perEni);
    }
}
