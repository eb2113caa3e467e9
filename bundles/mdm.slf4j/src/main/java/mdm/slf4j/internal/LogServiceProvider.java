package mdm.slf4j.internal;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Found by SLF4J's ServiceLoader in this bundle: loggers that hand every message to the OSGi Log
 * Service (so DJL's and Jetty's messages reach {@code work/logs/mdm.log} and the console like the
 * framework's own), and print to the console themselves while no Log Service is there (before this
 * bundle starts, or outside OSGi).
 */
public final class LogServiceProvider implements SLF4JServiceProvider {
    private ILoggerFactory loggers;
    private IMarkerFactory markers;
    private MDCAdapter mdc;

    @Override
    public void initialize() {
        ConsoleLogger.Level threshold = ConsoleLogger.Level.parse(System.getProperty(ConsoleLogger.LEVEL_PROPERTY));
        LogServiceLink link = LogServiceLink.ofBundleOf(LogServiceProvider.class);
        loggers = name -> new LogServiceLogger(name, link, new ConsoleLogger(name, threshold, System.err));
        markers = new BasicMarkerFactory();
        mdc = new NOPMDCAdapter();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }
}
