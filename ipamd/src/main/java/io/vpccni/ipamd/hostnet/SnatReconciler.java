package io.vpccni.ipamd.hostnet;

import io.vpccni.ipamd.config.SnatRandomization;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes the host's SNAT and connmark rules match the settings: dump, plan ({@link SnatRules}), apply in one
 * iptables-restore call, dump again to confirm. Safe to call on every VPC CIDR refresh: when nothing differs no
 * command that changes iptables runs.
 */
public final class SnatReconciler {
    private static final System.Logger LOG = System.getLogger(SnatReconciler.class.getName());

    private final IptablesRestore iptables;

    public SnatReconciler(IptablesRestore iptables) {
        this.iptables = Objects.requireNonNull(iptables, "iptables");
    }

    /**
     * @throws CommandRunner.CommandException when iptables-save or iptables-restore fails; nothing was changed then,
     *                                        since the restore is one transaction per table
     */
    public Changes reconcile(SnatSettings settings) {
        boolean randomFully = iptables.tool().supportsRandomFully();
        if (settings.randomization() == SnatRandomization.PRNG && !randomFully) {
            LOG.log(Level.WARNING, "{0} has no SNAT --random-fully; using --random for AWS_VPC_K8S_CNI_RANDOMIZESNAT=prng",
                    iptables.tool());
        }
        Optional<String> payload = SnatRules.restorePayload(settings, randomFully, IptablesDump.parse(iptables.save()));
        if (payload.isEmpty()) {
            LOG.log(Level.DEBUG, "SNAT and connmark rules already as wanted");
            return Changes.none();
        }
        iptables.restore(payload.get());
        LOG.log(Level.INFO, "applied SNAT and connmark rules with {0} (external SNAT {1}, primary IP {2}):\n{3}",
                iptables.tool(), settings.externalSnat(), settings.primaryIp().getHostAddress(), payload.get());
        if (SnatRules.restorePayload(settings, randomFully, IptablesDump.parse(iptables.save())).isPresent()) {
            // Rules are applied but read back in another spelling: harmless, yet every reconcile will rewrite them.
            LOG.log(Level.WARNING, "{0} prints our rules differently from how we write them; they will be rewritten "
                    + "on every reconcile", iptables.tool());
        }
        return new Changes(payload.get().lines().filter(l -> !l.equals("COMMIT")).toList());
    }
}
