package dev.batchline.lambda;

import dev.batchline.config.Json;
import java.net.Socket;
import java.net.SocketPermission;
import java.security.Permission;
import org.crac.Context;
import org.crac.Resource;

/**
 * Runs a checkpoint hook in a JVM of its own whose every network permission is refused, as a stock
 * JDK never fires the hooks: exit 0 when the hook touched no network. {@code control} runs a hook
 * that connects, to prove the refusal bites.
 */
public final class PrimingWithoutNetwork {

    private PrimingWithoutNetwork() {
    }

    @SuppressWarnings("removal") // the one way left in Java 17 to refuse a permission in a whole JVM
    public static void main(String[] args) throws Exception {
        System.setSecurityManager(new SecurityManager() {
            @Override
            public void checkPermission(Permission permission) {
                if (permission instanceof SocketPermission) {
                    throw new SecurityException("network during the checkpoint: " + permission);
                }
            }

            @Override
            public void checkPermission(Permission permission, Object context) {
                checkPermission(permission);
            }
        });
        Resource hook = args.length > 0 && args[0].equals("control") ? new Resource() {
            @Override
            public void beforeCheckpoint(Context<? extends Resource> context) throws Exception {
                new Socket("127.0.0.1", 9).close();
            }

            @Override
            public void afterRestore(Context<? extends Resource> context) {
            }
        } : new SnapStartPriming(Json.mapper());
        hook.beforeCheckpoint(null);
        hook.afterRestore(null);
        System.out.println("primed without network");
        if (hook instanceof SnapStartPriming priming) {
            System.out.println("calls answered from memory: " + priming.primedCalls());
            System.out.println("answers refused: " + priming.refusedCalls());
        }
    }
}
