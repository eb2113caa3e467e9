package mdm.web.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import mdm.features.ComponentInfo;
import mdm.features.FeatureInfo;

/** The registry's components and the runtime's features, which the page installs and removes. */
final class RegistryApi {
    private final Services services;

    RegistryApi(Services services) {
        this.services = services;
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
                    .put("boot", f.boot()).put("installed", f.installed());
            o.set("bundles", Json.MAPPER.valueToTree(f.bundles()));
        }
        return out;
    }

    ObjectNode install(String name) {
        return log(name, services.features().install(name));
    }

    ObjectNode uninstall(String name) {
        return log(name, services.features().uninstall(name));
    }

    private static ObjectNode log(String name, List<String> lines) {
        ObjectNode o = Json.object().put("feature", name);
        o.set("log", Json.MAPPER.valueToTree(lines));
        return o;
    }
}
