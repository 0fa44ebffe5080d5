package io.vpccni.eni.aws;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * An {@link SdkHttpClient} without sockets for the EC2 client's tests: it records each request (signed headers and
 * form body) and answers with the replies queued, in order.
 */
final class RecordedEc2 implements SdkHttpClient {

    record Sent(SdkHttpRequest request, String body) {}

    private record Reply(int status, String body) {}

    private final List<Sent> sent = new ArrayList<>();
    private final Deque<Reply> replies = new ArrayDeque<>();

    RecordedEc2 answer(String xml) {
        return answer(200, xml);
    }

    RecordedEc2 answer(int status, String body) {
        replies.add(new Reply(status, body));
        return this;
    }

    List<Sent> sent() {
        return List.copyOf(sent);
    }

    List<String> bodies() {
        return sent.stream().map(Sent::body).toList();
    }

    /** A client on this recording, region us-east-1, the given hooks. */
    Ec2QueryClient client(List<Ec2QueryClient.RequestHook> hooks) {
        return new Ec2QueryClient("us-east-1", URI.create("https://ec2.us-east-1.amazonaws.com"),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")), this,
                Ec2Clients.TIMEOUTS, Duration.ofSeconds(10), hooks);
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                String body;
                try (var in = request.contentStreamProvider().orElseThrow().newStream()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                sent.add(new Sent(request.httpRequest(), body));
                Reply reply = replies.poll();
                if (reply == null) {
                    throw new IllegalStateException("no reply queued for " + body);
                }
                return HttpExecuteResponse.builder()
                        .response(SdkHttpFullResponse.builder().statusCode(reply.status()).build())
                        .responseBody(AbortableInputStream.create(
                                new ByteArrayInputStream(reply.body().getBytes(StandardCharsets.UTF_8))))
                        .build();
            }

            @Override
            public void abort() {}
        };
    }

    @Override
    public void close() {}
}
