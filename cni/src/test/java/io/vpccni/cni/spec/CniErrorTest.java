package io.vpccni.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.rpc.message.ReasonCode;
import org.junit.jupiter.api.Test;

class CniErrorTest {
    @Test
    void rendersSpecErrorJson() {
        assertThat(new CniError(7, "missing name", "stdin had no \"name\"").toJson(CniVersion.V1_0_0))
                .isEqualTo("{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"missing name\","
                        + "\"details\":\"stdin had no \\\"name\\\"\"}");
    }

    @Test
    void omitsEmptyDetailsAsLibcniDoes() {
        assertThat(new CniError(11, "pool empty").toJson(CniVersion.V0_4_0))
                .isEqualTo("{\"cniVersion\":\"0.4.0\",\"code\":11,\"msg\":\"pool empty\"}");
    }

    @Test
    void messageJoinsMsgAndDetails() {
        assertThat(new CniError(1, "incompatible", "wants 2.0.0").getMessage())
                .isEqualTo("incompatible; wants 2.0.0");
    }

    @Test
    void ourCodesAgreeWithIpamdsReasonTable() {
        assertThat(ReasonCode.NOT_READY.cniCode()).isEqualTo(CniError.TRY_AGAIN_LATER);
        assertThat(ReasonCode.POOL_EMPTY.cniCode()).isEqualTo(CniError.TRY_AGAIN_LATER);
        assertThat(ReasonCode.POOL_EMPTY_THROTTLED.cniCode()).isEqualTo(CniError.TRY_AGAIN_LATER);
        assertThat(ReasonCode.POOL_EMPTY_SUBNET_EXHAUSTED.cniCode()).isEqualTo(CniError.SUBNET_EXHAUSTED);
        assertThat(ReasonCode.POOL_EMPTY_ENI_LIMIT.cniCode()).isEqualTo(CniError.ENI_LIMIT_REACHED);
        assertThat(ReasonCode.POOL_EMPTY_PERMISSION_DENIED.cniCode()).isEqualTo(CniError.PERMISSION_DENIED);
        assertThat(ReasonCode.BAD_REQUEST.cniCode()).isEqualTo(CniError.IPAMD_BAD_REQUEST);
        assertThat(ReasonCode.VERSION_MISMATCH.cniCode()).isEqualTo(CniError.IPAMD_VERSION_MISMATCH);
        assertThat(ReasonCode.INTERNAL.cniCode()).isEqualTo(CniError.INTERNAL);
    }

    @Test
    void versionInfoListsEverySupportedVersion() {
        assertThat(VersionInfo.toJson()).isEqualTo("{\"cniVersion\":\"1.1.0\",\"supportedVersions\":"
                + "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}");
    }
}
