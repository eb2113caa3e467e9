package mdm.web.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The dashboard's own settings (configuration {@code mdm.web}, set in {@code features/mdm-web.json}).
 * Where it listens is the HTTP server's configuration ({@code org.apache.felix.http}).
 */
@ObjectClassDefinition(name = "mdm dashboard")
@interface WebConfig {
    @AttributeDefinition(description = "largest request body accepted (pasted specs, forms), in bytes")
    int maxRequestBytes() default 1_048_576;

    @AttributeDefinition(description = "most images one generation may ask for")
    int maxImages() default 64;

    @AttributeDefinition(description = "most sampling steps one generation may ask for")
    int maxSamplingSteps() default 1000;

    @AttributeDefinition(description = "most live event streams (open job pages) at once")
    int maxEventStreams() default 16;

    @AttributeDefinition(description = "folders whose specs the Train page offers; default: the framework property "
            + "mdm.samples.dir (the project's samples/)")
    String[] specFolders() default {};
}
