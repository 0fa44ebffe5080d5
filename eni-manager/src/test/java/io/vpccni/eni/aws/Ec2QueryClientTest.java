package io.vpccni.eni.aws;

import static io.vpccni.eni.aws.AwsEc2ApiTest.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.error.Ec2Failure;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpRequest;

/** The EC2 client's reading of replies and errors, its signing and its hooks, without sockets. */
class Ec2QueryClientTest {

    private static Ec2Failure classified(int status, String body) {
        try {
            Ec2QueryClient.reply("AssignPrivateIpAddresses", status, body.getBytes(StandardCharsets.UTF_8));
        } catch (Ec2QueryException e) {
            return AwsErrors.classify("AssignPrivateIpAddresses", e);
        }
        throw new AssertionError("HTTP " + status + " read as a success");
    }

    @Test
    void ec2sErrorCodesMapToTheFailuresTheGuardDecidesOn() {
        assertThat(classified(503, error("RequestLimitExceeded", "Request limit exceeded.")))
                .isInstanceOf(Ec2Failure.Throttled.class).returns(true, Ec2Failure::retryable);
        assertThat(classified(400, error("ThrottlingException", "slow down")))
                .isInstanceOf(Ec2Failure.Throttled.class);
        assertThat(classified(429, error("Unknown", "too many"))).isInstanceOf(Ec2Failure.Throttled.class);
        assertThat(classified(400, error("InsufficientFreeAddressesInSubnet", "full")))
                .isInstanceOf(Ec2Failure.SubnetFull.class);
        assertThat(classified(400, error("PrivateIpAddressLimitExceeded", "limit")))
                .isInstanceOf(Ec2Failure.LimitExceeded.class);
        assertThat(classified(403, error("UnauthorizedOperation", "no")))
                .isInstanceOf(Ec2Failure.PermissionDenied.class);
        assertThat(classified(400, error("InvalidAttachmentID.NotFound", "gone")))
                .isInstanceOf(Ec2Failure.NotFound.class);
        assertThat(classified(500, error("InternalError", "An internal error has occurred.")))
                .isInstanceOf(Ec2Failure.Unavailable.class).returns("InternalError", Ec2Failure::errorCode);
        assertThat(classified(400, error("InvalidParameterValue", "bad")))
                .isInstanceOf(Ec2Failure.Other.class).returns(false, Ec2Failure::retryable)
                .returns("InvalidParameterValue", Ec2Failure::errorCode);
    }

    @Test
    void aServerErrorWithoutEc2sReplyIsUnavailableNamedByItsStatus() {
        assertThat(classified(502, "<html><body>Bad Gateway</body></html>"))
                .isInstanceOf(Ec2Failure.Unavailable.class).returns("HTTP 502", Ec2Failure::errorCode);
        assertThat(classified(502, "Bad Gateway, not XML"))
                .isInstanceOf(Ec2Failure.Unavailable.class).returns("HTTP 502", Ec2Failure::errorCode);
    }

    @Test
    void theErrorKeepsEc2sCodeMessageRequestIdAndStatus() {
        assertThatThrownBy(() -> Ec2QueryClient.reply("CreateTags", 400,
                error("InvalidID", "The ID 'x' is not valid").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(Ec2QueryException.ServiceError.class, e -> {
                    assertThat(e.errorCode()).isEqualTo("InvalidID");
                    assertThat(e.errorMessage()).isEqualTo("The ID 'x' is not valid");
                    assertThat(e.requestId()).isEqualTo("ea966190-f9aa-478e-9ede-example");
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("The ID 'x' is not valid (InvalidID, HTTP 400,"
                            + " request id ea966190-f9aa-478e-9ede-example)");
                });
    }

    @Test
    void aSuccessThatIsNotXmlIsNoAnswerAndRetryable() {
        assertThatThrownBy(() -> Ec2QueryClient.reply("DescribeSubnets", 200,
                "{\"json\": true}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Ec2QueryException.NoAnswer.class)
                .hasMessageContaining("DescribeSubnets: HTTP 200 with a reply that is not XML");
        assertThat(AwsErrors.classify("DescribeSubnets", new Ec2QueryException.NoAnswer("reset", null)))
                .isInstanceOf(Ec2Failure.Unavailable.class).returns(true, Ec2Failure::retryable);
    }

    @Test
    void aReplyWithADoctypeIsRefusedAndNoEntityIsRead() {
        String entity = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
                + "<DescribeSubnetsResponse><subnetSet>&x;</subnetSet></DescribeSubnetsResponse>";

        assertThatThrownBy(() -> Ec2QueryClient.reply("DescribeSubnets", 200,
                entity.getBytes(StandardCharsets.UTF_8))).isInstanceOf(Ec2QueryException.NoAnswer.class);
    }

    @Test
    void eachRequestIsAFormPostSignedWithSigV4ForEc2InTheRegionAfterTheHooksChangedIt() {
        var http = new RecordedEc2().answer("<DescribeSubnetsResponse><subnetSet/></DescribeSubnetsResponse>");
        http.answer(200, "<DeleteNetworkInterfaceResponse><return>true</return></DeleteNetworkInterfaceResponse>");
        List<String> hooked = new ArrayList<>();
        Ec2QueryClient client = http.client(List.of((action, request) -> {
            hooked.add(action);
            return request.toBuilder().putHeader("X-Test-Hook", action).build();
        }));

        client.call(new QueryForm("DescribeSubnets"));
        client.call(new QueryForm("DeleteNetworkInterface").add("NetworkInterfaceId", "eni-1"));

        assertThat(hooked).containsExactly("DescribeSubnets", "DeleteNetworkInterface");
        SdkHttpRequest sent = http.sent().getLast().request();
        assertThat(sent.method().name()).isEqualTo("POST");
        assertThat(sent.getUri().toString()).isEqualTo("https://ec2.us-east-1.amazonaws.com/");
        assertThat(sent.firstMatchingHeader("Content-Type"))
                .contains("application/x-www-form-urlencoded; charset=utf-8");
        assertThat(sent.firstMatchingHeader("X-Amz-Date")).isPresent();
        assertThat(sent.firstMatchingHeader("User-Agent")).contains("vpc-cni-java-ipamd");
        assertThat(sent.firstMatchingHeader("Authorization")).hasValueSatisfying(auth -> assertThat(auth)
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
                .contains("/us-east-1/ec2/aws4_request")
                .contains("x-test-hook"));
        assertThat(http.bodies().getLast())
                .isEqualTo("Action=DeleteNetworkInterface&Version=2016-11-15&NetworkInterfaceId=eni-1");
    }

    @Test
    void credentialsThatCannotBeResolvedAreNoAnswerThatTheGuardRetries() {
        var http = new RecordedEc2();
        var client = new Ec2QueryClient("us-east-1", URI.create("https://ec2.us-east-1.amazonaws.com"), () -> {
            throw new IllegalStateException("instance metadata did not answer");
        }, http, Ec2Clients.TIMEOUTS, Duration.ofSeconds(10), List.of());

        assertThatThrownBy(() -> client.call(new QueryForm("DescribeSubnets")))
                .isInstanceOf(Ec2QueryException.NoAnswer.class)
                .hasMessage("DescribeSubnets: cannot sign the request: instance metadata did not answer");
        assertThat(http.sent()).as("nothing sent").isEmpty();
    }
}
