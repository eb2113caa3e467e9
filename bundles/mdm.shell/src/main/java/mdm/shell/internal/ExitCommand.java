package mdm.shell.internal;

import java.util.function.IntConsumer;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code exit}: stops the runtime (running jobs write a checkpoint first, as on any stop). Gogo has
 * no such command; its profile only maps {@code java.lang.System}'s methods, so a bare {@code exit}
 * used to fail with "Cannot coerce exit()". In scope {@code gogo}, which the shell searches first.
 * The launcher, when it runs the framework, offers an {@link IntConsumer} ({@code mdm.exit=true})
 * that takes the exit status.
 */
@Component(service = ExitCommand.class, property = {"osgi.command.scope=gogo", "osgi.command.function=exit"})
public class ExitCommand {
    private final BundleContext context;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(mdm.exit=true)")
    private volatile IntConsumer exitStatus;

    @Activate
    public ExitCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("stop the runtime and leave the shell; running jobs write a checkpoint first")
    @Operands("[status] the process's exit status (default 0)")
    public String exit(@Descriptor("the process's exit status (default 0)") String... status) throws BundleException {
        String[] given = CommandUsage.operands(ExitCommand.class, "gogo", "exit", status);
        int code = 0;
        if (given[0] != null) {
            try {
                code = Integer.parseInt(given[0].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("exit status '" + given[0] + "' is not a whole number\nusage: exit [status]");
            }
        }
        IntConsumer sink = exitStatus;
        if (sink != null) {
            sink.accept(code);
        }
        // the system bundle stops on a thread of its own, so this command returns and the shell winds down
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).stop();
        return "stopping the runtime (running jobs write a checkpoint first)";
    }
}
