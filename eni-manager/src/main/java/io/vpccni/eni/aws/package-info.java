/**
 * The EC2 implementation of {@link io.vpccni.eni.port.Ec2Api}, on an EC2 Query client of ipamd's own:
 * {@code AwsEc2Api} builds each operation's form ({@code QueryForm}) and maps the XML replies ({@code XmlElement},
 * {@code Ec2Mapping}); {@code Ec2QueryClient} signs (SigV4, the SDK's signer), sends (the SDK's URL-connection HTTP
 * client) and reads replies and error replies; {@code AwsErrors} classifies its {@code Ec2QueryException}s into
 * {@code Ec2Failure}; {@code Ec2Clients} builds the client (time-outs on one shared timer, the regional endpoint or
 * an override). Every call goes through {@code eni.guard.Ec2Guard}, its failures classified inside each attempt, so
 * the guard sees only {@code Ec2Failure}s.
 *
 * <p>Why not the AWS SDK's {@code Ec2Client}: verifying its generated client loads ~742 EC2 request classes (about
 * 15.7 MiB of metaspace) and its pipeline keeps ~2,400 SDK classes loaded, for the 11 operations ipamd calls; ipamd
 * must stay under 100 MiB on every node ({@code Ec2QueryClient}, BENCHMARKS.md "ipamd: an EC2 client of its own").
 * The SDK still provides credentials, SigV4 signing and the HTTP client. No class here uses
 * {@code software.amazon.awssdk.services.ec2} (EniManagerLayeringTest).
 *
 * <p>{@code QueryForm}, {@code XmlElement}, {@code Ec2Mapping} and {@code AwsErrors} are pure; I/O: HTTPS to EC2 (or
 * the endpoint in {@code AWS_ENDPOINT_URL_EC2}) in {@code Ec2QueryClient}.
 *
 * <p>Used by {@code ipamd.app} (the composition root) and test-localstack's {@code it.localstack} and
 * {@code it.faults} (the client's request hook); eni-manager's in-memory EC2 (tests) raises its faults through
 * {@code AwsErrors}. It depends on {@code eni.guard}, never the reverse. In eni-manager, the only package besides
 * {@code eni.imds} that imports the SDK.
 */
package io.vpccni.eni.aws;
