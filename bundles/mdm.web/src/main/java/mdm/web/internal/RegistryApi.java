package mdm.web.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import mdm.features.ComponentInfo;
import mdm.features.FeatureInfo;

/** The registry's components and the runtime's features, which the page installs and removes. */
final class RegistryApi {
    private final Services services;
    /** The dashboard's own bundle: the feature that holds it is not removed from the dashboard. */
    private final String self;

    RegistryApi(Services services, String self) {
        this.services = services;
        this.self = self;
    }

    ArrayNode components() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ComponentInfo c : services.components().components()) {
            out.addObject().put("kind", c.kind()).put("name", c.name()).put("bundle", c.bundle())
                    .put("version", c.version()).put("ranking", c.ranking()).put("serviceId", c.serviceId());
        }
        return out;
    }

    ArrayNode features() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (FeatureInfo f : services.features().features()) {
            ObjectNode o = out.addObject().put("name", f.name()).put("id", f.id()).put("title", f.title())
                    .put("boot", f.boot()).put("installed", f.installed()).put("servesThisPage", f.bundles().contains(self));
            o.set("bundles", Json.MAPPER.valueToTree(f.bundles()));
        }
        return out;
    }

    ObjectNode install(String name) {
        return log(name, services.features().install(name));
    }

    ObjectNode uninstall(String name) {
        for (FeatureInfo f : services.features().features()) {
            if ((f.name().equals(name) || f.id().equals(name)) && f.bundles().contains(self)) {
                throw new WebError(409, "the feature " + f.name() + " serves this dashboard: remove it from the shell "
                        + "(mdm:uninstall " + f.name() + ")");
            }
        }
        return log(name, services.features().uninstall(name));
    }

    private static ObjectNode log(String name, List<String> lines) {
        ObjectNode o = Json.object().put("feature", name);
        o.set("log", Json.MAPPER.valueToTree(lines));
        return o;
    }
}
