package mdm.conditioner.label.internal;

import ai.djl.ndarray.NDManager;
import mdm.api.Options;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.conditioning.ConditionerFactory;
import mdm.api.data.DatasetInfo;
import mdm.conditioner.label.ClassConditioner;
import mdm.core.config.Json;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code class} conditioner. It references the runtime only so that it starts after the engine. */
@Component(service = ConditionerFactory.class,
        property = {Components.NAME + "=class", Components.KIND + "=" + Components.CONDITIONER})
public final class ClassConditionerFactory implements ConditionerFactory {

    @Activate
    public ClassConditionerFactory(@Reference DjlRuntime runtime) {
        // tensors are made in the managers callers pass; the reference orders activation only
    }

    @Override
    public int featureDim(Options options, DatasetInfo data) {
        ClassOptions o = Json.bind(options, ClassOptions.class, "class conditioner options");
        return width(o, data);
    }

    @Override
    public Conditioner create(Options options, DatasetInfo data, NDManager manager, long seed) {
        ClassOptions o = Json.bind(options, ClassOptions.class, "class conditioner options");
        return new ClassConditioner(data.classNames(), width(o, data), o.mode());
    }

    private static int width(ClassOptions o, DatasetInfo data) {
        if (data.numClasses() == 0) {
            throw new MdmException("the class conditioner needs class labels, but dataset '" + data.name()
                    + "' has none; use t5 or learned-text for captioned data.");
        }
        int needed = ClassConditioner.minimumWidth(data.numClasses(), o.mode());
        if (o.width() == null) {
            return needed;
        }
        if (o.width() < needed) {
            throw new MdmException("class conditioner: width " + o.width() + " is too small for dataset '" + data.name()
                    + "' with " + data.numClasses() + " classes" + (o.mode() == mdm.conditioner.label.NullLabel.EXTRA
                    ? " plus the extra null column" : "") + "; set width to at least " + needed + " or leave it out.");
        }
        return o.width();
    }
}
