package io.vpccni.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CniCommandTest {
    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void verbsAreAllowedFromTheVersionThatIntroducedThem(CniVersion v) throws CniError {
        for (CniCommand c : CniCommand.values()) {
            boolean allowed = switch (c) {
                case ADD, DEL, VERSION -> true;
                case CHECK -> v.atLeast(CniVersion.V0_4_0);
                case STATUS, GC -> v == CniVersion.V1_1_0;
            };
            if (allowed) {
                c.requireAllowedBy(v);
            } else {
                assertThatThrownBy(() -> c.requireAllowedBy(v)).as(c + " under " + v)
                        .isInstanceOfSatisfying(CniError.class, e -> {
                            assertThat(e.code()).isEqualTo(CniError.INCOMPATIBLE_VERSION);
                            assertThat(e.msg()).contains(v.text(), c.name());
                        });
            }
        }
    }
}
