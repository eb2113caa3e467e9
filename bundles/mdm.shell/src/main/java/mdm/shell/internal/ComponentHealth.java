package mdm.shell.internal;

import java.util.Arrays;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Why a service the shell needs is missing, in words, from Declarative Services' own record: the
 * exception its component threw, or the services it still waits for (followed to their cause).
 */
final class ComponentHealth {
    private ComponentHealth() {
    }

    static String why(ServiceComponentRuntime scr, String serviceInterface) {
        return why(scr, serviceInterface, 0);
    }

    private static String why(ServiceComponentRuntime scr, String serviceInterface, int depth) {
        if (scr == null) {
            return "Declarative Services is not running";
        }
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!Arrays.asList(d.serviceInterfaces).contains(serviceInterface)) {
                continue;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.failure != null) {
                    String first = c.failure.lines().findFirst().orElse(c.failure)
                            .replaceFirst("^[\\w.$]+(Exception|Error): ", "");
                    // SCR's wording when a referenced service could not be activated: follow it to its cause
                    java.util.regex.Matcher m = java.util.regex.Pattern
                            .compile("Unable to get service for reference (\\S+)").matcher(first);
                    if (m.find() && depth < 3) {
                        String needed = neededInterface(d, m.group(1));
                        if (needed != null) {
                            return d.name + " needs " + needed + ": " + why(scr, needed, depth + 1);
                        }
                    }
                    return first;
                }
                for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                    String needed = neededInterface(d, u.name);
                    String cause = depth < 3 && needed != null ? ": " + why(scr, needed, depth + 1) : "";
                    return d.name + " waits for " + (needed != null ? needed : u.name) + cause;
                }
            }
            return d.name + " in bundle " + d.bundle.symbolicName + " is not active";
        }
        return "no component provides " + serviceInterface + " (is its feature installed? mdm:features)";
    }

    private static String neededInterface(ComponentDescriptionDTO d, String reference) {
        for (ReferenceDTO r : d.references) {
            if (r.name.equals(reference)) {
                return r.interfaceName;
            }
        }
        return null;
    }
}
