package io.vpccni.rpc.veth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HostVethNameTest {
    @Test
    void matchesAwsVpcCniForAKnownPod() {
        // printf 'default.nginx' | sha1sum -> c440f455693b69cdd48a37aa5ecd78038f50413d
        assertThat(HostVethName.of("eni", "default", "nginx")).isEqualTo("enic440f455693");
        // printf 'kube-system.coredns-5d78c9869d-abcde' | sha1sum -> 4d5f75c480cc7f4e...
        assertThat(HostVethName.of("eni", "kube-system", "coredns-5d78c9869d-abcde"))
                .isEqualTo("eni4d5f75c480c");
    }

    @Test
    void longestPrefixGivesAFifteenCharacterName() {
        assertThat(HostVethName.of("abcd", "default", "nginx")).isEqualTo("abcdc440f455693").hasSize(15);
    }

    @Test
    void invalidPrefixIsRefused() {
        assertThatThrownBy(() -> HostVethName.of("abcde", "default", "nginx"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 4");
    }

    @Test
    void sha1AgreesWithTheJdkAcrossBlockBoundaries() throws Exception {
        MessageDigest jdk = MessageDigest.getInstance("SHA-1");
        Random random = new Random(42);
        for (int len = 0; len < 300; len++) {
            byte[] data = new byte[len];
            random.nextBytes(data);
            assertThat(HexFormat.of().formatHex(Sha1.digest(data))).as("length " + len)
                    .isEqualTo(HexFormat.of().formatHex(jdk.digest(data)));
        }
        assertThat(HexFormat.of().formatHex(Sha1.digest("abc".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("a9993e364706816aba3e25717850c26c9cd0d89d");
    }
}
