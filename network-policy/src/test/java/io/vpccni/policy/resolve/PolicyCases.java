package io.vpccni.policy.resolve;

import io.vpccni.policy.resolve.MatrixCluster.Step;
import java.util.List;
import java.util.Map;

/**
 * The policy cases, in the shape of Kubernetes' network-policy e2e tests (test/e2e/network/netpol): each is a sequence
 * of changes to {@link MatrixCluster} with the whole reachability matrix expected after them (9 pods x 8 peers x TCP
 * 80, TCP 81, UDP 80). The resolver's table test checks each expectation against what the resolved PolicyEndpoints
 * allow; the controller's test replays the same steps on an API server and checks the objects it writes.
 */
public final class PolicyCases {

    public record Case(String name, List<Step> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    private PolicyCases() {}

    static Step policy(String namespace, String name, String spec) {
        return new Step.AddPolicy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: %s
                  namespace: %s
                spec:
                %s""".formatted(name, namespace, spec.indent(2)));
    }

    static Step expect(Reach reach) {
        return new Step.Expect(reach);
    }

    static Case of(String name, Step... steps) {
        return new Case(name, List.of(steps));
    }

    public static List<Case> all() {
        return List.of(
                of("no policy: every pod reaches every pod on every port", expect(Reach.ALL)),
                of("default deny ingress", policy("x", "deny-ingress", """
                        podSelector: {}
                        policyTypes: [Ingress]"""), expect(p -> !p.toNs("x"))),
                of("default deny egress", policy("x", "deny-egress", """
                        podSelector: {}
                        policyTypes: [Egress]"""), expect(p -> !p.fromNs("x"))),
                of("default deny ingress and egress", policy("x", "deny-all", """
                        podSelector: {}
                        policyTypes: [Ingress, Egress]"""), expect(p -> !p.toNs("x") && !p.fromNs("x"))),
                of("allow from a pod selector (the policy's namespace)", policy("x", "allow-b", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{podSelector: {matchLabels: {pod: b}}}]"""),
                        expect(p -> !p.to("x/a") || p.from("x/b"))),
                of("allow from a namespace selector", policy("x", "allow-y", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{namespaceSelector: {matchLabels: {ns: y}}}]"""),
                        expect(p -> !p.to("x/a") || p.fromNs("y"))),
                of("pod and namespace selector in one peer: AND", policy("x", "allow-y-b", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from:
                          - namespaceSelector: {matchLabels: {ns: y}}
                            podSelector: {matchLabels: {pod: b}}"""),
                        expect(p -> !p.to("x/a") || p.from("y/b"))),
                of("pod and namespace selector as two peers: OR", policy("x", "allow-y-or-b", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from:
                          - namespaceSelector: {matchLabels: {ns: y}}
                          - podSelector: {matchLabels: {pod: b}}"""),
                        expect(p -> !p.to("x/a") || p.fromNs("y") || p.from("x/b"))),
                of("a pod selector in every namespace", policy("x", "allow-any-b", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from:
                          - namespaceSelector: {}
                            podSelector: {matchLabels: {pod: b}}"""),
                        expect(p -> !p.to("x/a") || p.from("x/b", "y/b", "z/b"))),
                of("matchExpressions NotIn", policy("x", "allow-not-a", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{podSelector: {matchExpressions: [{key: pod, operator: NotIn, values: [a]}]}}]"""),
                        expect(p -> !p.to("x/a") || p.from("x/b", "x/c"))),
                of("matchExpressions In on namespaces", policy("x", "allow-y-z", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: In, values: [y, z]}]}}]"""),
                        expect(p -> !p.to("x/a") || p.fromNs("y", "z"))),
                of("matchExpressions Exists and DoesNotExist",
                        new Step.LabelNamespace("z", Map.of("ns", "z", "team", "blue")),
                        policy("x", "allow-no-team", """
                        podSelector: {matchExpressions: [{key: pod, operator: Exists}]}
                        ingress:
                        - from: [{namespaceSelector: {matchExpressions: [{key: team, operator: DoesNotExist}]}}]"""),
                        expect(p -> !p.toNs("x") || p.fromNs("x", "y"))),
                of("ingress on TCP 80 only, from everywhere", policy("x", "allow-80", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - ports: [{port: 80}]"""), expect(p -> !p.to("x/a") || p.tcp(80))),
                of("ingress on TCP 81 from namespace y", policy("x", "allow-y-81", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
                          ports: [{protocol: TCP, port: 81}]"""),
                        expect(p -> !p.to("x/a") || p.fromNs("y") && p.tcp(81))),
                of("ingress on UDP 80 only", policy("x", "allow-udp", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - ports: [{protocol: UDP, port: 80}]"""), expect(p -> !p.to("x/a") || p.udp80())),
                of("a named ingress port", policy("x", "allow-named", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - ports: [{port: serve-81-tcp}]"""), expect(p -> !p.to("x/a") || p.tcp(81))),
                of("a named ingress port, numbered differently by each selected pod", policy("x", "allow-web", """
                        podSelector: {}
                        ingress:
                        - ports: [{port: web}]"""),
                        expect(p -> !p.toNs("x") || p.to("x/a") && p.tcp(80) || p.to("x/c") && p.tcp(81))),
                of("a named egress port", policy("x", "egress-named", """
                        podSelector: {}
                        policyTypes: [Egress]
                        egress:
                        - ports: [{protocol: UDP, port: serve-80-udp}]"""), expect(p -> !p.fromNs("x") || p.udp80())),
                of("a named egress port, numbered differently by each peer pod", policy("x", "egress-web", """
                        podSelector: {}
                        policyTypes: [Egress]
                        egress:
                        - to: [{namespaceSelector: {matchLabels: {ns: z}}}]
                          ports: [{port: web}]"""),
                        expect(p -> !p.fromNs("x") || p.to("z/a") && p.tcp(80) || p.to("z/b") && p.tcp(81))),
                of("endPort: TCP 80 to 81", policy("x", "range-80-81", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - ports: [{port: 80, endPort: 81}]"""), expect(p -> !p.to("x/a") || p.tcp(80) || p.tcp(81))),
                of("endPort: TCP 81 to 90", policy("x", "range-81-90", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - ports: [{port: 81, endPort: 90}]"""), expect(p -> !p.to("x/a") || p.tcp(81))),
                of("egress to one port only", policy("x", "egress-80", """
                        podSelector: {matchLabels: {pod: a}}
                        policyTypes: [Egress]
                        egress:
                        - ports: [{port: 80}]"""), expect(p -> !p.from("x/a") || p.tcp(80))),
                of("egress rules without policyTypes isolate ingress as well", policy("x", "egress-80-default", """
                        podSelector: {matchLabels: {pod: a}}
                        egress:
                        - ports: [{port: 80}]"""), expect(p -> (!p.from("x/a") || p.tcp(80)) && !p.to("x/a"))),
                of("egress to one namespace only", policy("x", "egress-y", """
                        podSelector: {}
                        policyTypes: [Egress]
                        egress:
                        - to: [{namespaceSelector: {matchLabels: {ns: y}}}]"""),
                        expect(p -> !p.fromNs("x") || p.toNs("y"))),
                of("egress to an ipBlock with except", policy("x", "egress-block", """
                        podSelector: {}
                        policyTypes: [Egress]
                        egress:
                        - to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]"""),
                        expect(p -> !p.fromNs("x") || !p.toNs("y"))),
                of("egress to everything but an except", policy("x", "egress-not-z", """
                        podSelector: {}
                        policyTypes: [Egress]
                        egress:
                        - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.3.0/24]}}]"""),
                        expect(p -> !p.fromNs("x") || !p.toNs("z"))),
                of("ingress from an ipBlock with except", policy("x", "from-block", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{ipBlock: {cidr: 10.0.2.0/24, except: [10.0.2.11/32]}}]"""),
                        expect(p -> !p.to("x/a") || p.from("y/a", "y/c"))),
                of("policyTypes Ingress ignores egress rules", policy("x", "ingress-only", """
                        podSelector: {matchLabels: {pod: a}}
                        policyTypes: [Ingress]
                        egress:
                        - to: [{podSelector: {matchLabels: {pod: b}}}]"""), expect(p -> !p.to("x/a"))),
                of("policyTypes Egress ignores ingress rules", policy("x", "egress-only", """
                        podSelector: {matchLabels: {pod: a}}
                        policyTypes: [Egress]
                        ingress:
                        - from: [{podSelector: {matchLabels: {pod: b}}}]
                        egress:
                        - to: [{namespaceSelector: {matchLabels: {ns: y}}}]"""),
                        expect(p -> !p.from("x/a") || p.toNs("y"))),
                of("two policies on one pod add up", policy("x", "allow-y", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{namespaceSelector: {matchLabels: {ns: y}}}]"""), policy("x", "allow-z", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{namespaceSelector: {matchLabels: {ns: z}}}]"""),
                        expect(p -> !p.to("x/a") || p.fromNs("y", "z"))),
                of("ingress and egress in one policy", policy("x", "both", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
                        egress:
                        - to: [{namespaceSelector: {matchLabels: {ns: y}}}]
                          ports: [{port: 80}]"""),
                        expect(p -> (!p.to("x/a") || p.fromNs("y")) && (!p.from("x/a") || p.toNs("y") && p.tcp(80)))),
                of("an empty ingress rule allows everything", policy("x", "allow-all", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - {}"""), expect(Reach.ALL)),
                of("an SCTP port allows none of the TCP and UDP servers", policy("x", "sctp", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - ports: [{protocol: SCTP, port: 80}]"""), expect(p -> !p.to("x/a"))),
                of("several ports in one rule", policy("x", "ports", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - ports: [{port: 81}, {protocol: UDP, port: 80}]"""),
                        expect(p -> !p.to("x/a") || p.tcp(81) || p.udp80())),
                of("the namespace's kubernetes.io/metadata.name label", policy("x", "allow-z-by-name", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}}]"""),
                        expect(p -> !p.to("x/a") || p.fromNs("z"))),
                of("a pod label change adds a peer", policy("x", "allow-b", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{podSelector: {matchLabels: {pod: b}}}]"""),
                        expect(p -> !p.to("x/a") || p.from("x/b")),
                        new Step.LabelPod("x/c", Map.of("pod", "b")),
                        expect(p -> !p.to("x/a") || p.from("x/b", "x/c"))),
                of("a pod label change removes a peer", policy("x", "allow-b", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{podSelector: {matchLabels: {pod: b}}}]"""),
                        new Step.LabelPod("x/b", Map.of("pod", "d")), expect(p -> !p.to("x/a"))),
                of("a namespace label change", policy("x", "allow-y", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{namespaceSelector: {matchLabels: {ns: y}}}]"""),
                        expect(p -> !p.to("x/a") || p.fromNs("y")),
                        new Step.LabelNamespace("z", Map.of("ns", "y")),
                        expect(p -> !p.to("x/a") || p.fromNs("y", "z"))),
                of("a pod that joins the selected set is isolated", policy("x", "deny-a", """
                        podSelector: {matchLabels: {pod: a}}
                        policyTypes: [Ingress]"""), expect(p -> !p.to("x/a")),
                        new Step.LabelPod("x/b", Map.of("pod", "a")), expect(p -> !p.to("x/a", "x/b"))),
                of("a pod that leaves the selected set is open again", policy("x", "deny-a", """
                        podSelector: {matchLabels: {pod: a}}
                        policyTypes: [Ingress, Egress]"""), expect(p -> !p.to("x/a") && !p.from("x/a")),
                        new Step.LabelPod("x/a", Map.of("pod", "e")), expect(Reach.ALL)),
                of("deleting the policy restores access", policy("x", "deny-all", """
                        podSelector: {}
                        policyTypes: [Ingress, Egress]"""), expect(p -> !p.toNs("x") && !p.fromNs("x")),
                        new Step.DeletePolicy("x", "deny-all"), expect(Reach.ALL)));
    }
}
