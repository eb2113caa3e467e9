package mdm.baseline.cascade.internal;

import mdm.api.model.CascadeStage;
import mdm.api.model.CascadedBackbone;

/** What every stage of a cascade is: a backbone that can also present itself as one link of the chain. */
abstract class CascadeBackboneBase implements CascadedBackbone {
    /** This backbone's own network as a link of the chain. */
    abstract CascadeStage asStage();
}
