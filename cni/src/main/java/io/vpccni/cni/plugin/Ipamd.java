package io.vpccni.cni.plugin;

import io.vpccni.cni.spec.CniError;
import io.vpccni.rpc.codec.Protocol;
import io.vpccni.rpc.codec.ProtocolException;
import io.vpccni.rpc.codec.VersionMismatchException;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.GcOk;
import io.vpccni.rpc.message.GcRequest;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.IpamRequest;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import io.vpccni.rpc.transport.IpamClient;
import io.vpccni.rpc.transport.IpamTimeoutException;
import io.vpccni.rpc.transport.IpamUnreachableException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The plugin's calls to ipamd, with every way they can go wrong turned into the CNI error the
 * runtime should see: a refusal keeps ipamd's reason code and sentence; transport trouble keeps
 * its own type ({@link Unreachable}) where a verb must branch on it (DEL, STATUS).
 */
final class Ipamd {
    private final IpamClient client;

    private Ipamd(IpamClient client) {
        this.client = client;
    }

    static Ipamd at(Path socket) {
        return new Ipamd(new IpamClient(socket, Protocol.DEFAULT_CLIENT_TIMEOUT));
    }

    /** ipamd could not be talked to at all (no socket, nobody accepting, no answer in time). */
    static final class Unreachable extends Exception {
        Unreachable(String message, Throwable cause) {
            super(message, cause, false, false);
        }

        CniError asCniError() {
            return new CniError(CniError.IPAMD_UNREACHABLE, "ipamd is unreachable", getMessage()
                    + "; is the vpc-cni daemon running on this node?");
        }
    }

    AddOk add(AddRequest r) throws CniError, Unreachable {
        return expect(r, AddOk.class);
    }

    DelOk del(DelRequest r) throws CniError, Unreachable {
        return expect(r, DelOk.class);
    }

    StatusOk status() throws CniError, Unreachable {
        return expect(new StatusRequest(), StatusOk.class);
    }

    GcOk gc(GcRequest r) throws CniError, Unreachable {
        return expect(r, GcOk.class);
    }

    /**
     * The reply to {@code r} when it is of the expected type; ipamd's refusal as its CNI error.
     * A class test rather than a pattern switch: each pattern switch spins a class at run time,
     * a cost paid again in every plugin process.
     */
    private <T extends IpamReply> T expect(IpamRequest r, Class<T> type) throws CniError, Unreachable {
        IpamReply reply = call(r);
        if (type.isInstance(reply)) {
            return type.cast(reply);
        }
        if (reply instanceof Failure f) {
            throw refused(f);
        }
        throw new CniError(CniError.IPAMD_PROTOCOL_ERROR, "ipamd answered " + r + " with the wrong reply type");
    }

    private IpamReply call(IpamRequest r) throws CniError, Unreachable {
        try {
            return client.call(r);
        } catch (IpamUnreachableException e) {
            throw new Unreachable(e.getMessage(), e);
        } catch (IpamTimeoutException e) {
            throw new Unreachable(e.getMessage(), e);
        } catch (VersionMismatchException e) {
            throw new CniError(CniError.IPAMD_VERSION_MISMATCH, "plugin and ipamd speak different protocol "
                    + "versions; upgrade them together", e.getMessage());
        } catch (ProtocolException e) {
            throw new CniError(CniError.IPAMD_PROTOCOL_ERROR, "ipamd sent a reply the plugin cannot read",
                    e.getMessage());
        } catch (IOException e) {
            throw new Unreachable("connection to ipamd at " + client.socketPath() + " failed: " + e.getMessage(), e);
        }
    }

    /** ipamd's own sentence is the message: it names the real cause (subnet full, ENI limit...). */
    private static CniError refused(Failure f) {
        return new CniError(f.cniCode(), f.message(), "ipamd reason " + f.reason()
                + (f.retryable() ? ", retryable" : ""));
    }
}
