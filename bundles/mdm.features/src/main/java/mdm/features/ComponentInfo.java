package mdm.features;

/**
 * One registered mdm component as people look at it: what it is, which bundle provides it and how
 * it ranks against others of the same kind and name (the highest ranking is the one specs get).
 *
 * @param kind      the {@code mdm.kind} property, e.g. backbone
 * @param name      one of its {@code mdm.name} values, e.g. nested_unet
 * @param bundle    symbolic name of the bundle that registered it
 * @param version   that bundle's version
 * @param ranking   {@code service.ranking} (0 when absent or not an Integer, as the framework reads it)
 * @param serviceId the service id, which tells two registrations of the same name apart
 */
public record ComponentInfo(String kind, String name, String bundle, String version, int ranking, long serviceId) {
}
