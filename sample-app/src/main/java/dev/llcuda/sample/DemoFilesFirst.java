package dev.llcuda.sample;

import java.util.Arrays;
import java.util.stream.Stream;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import dev.llcuda.runtime.EmbeddingRuntime;

/**
 * Makes the embedding runtime wait for {@link DemoEmbeddingModel}, which writes the file that runtime opens,
 * whatever order the beans that use the runtime happen to be created in.
 */
@Component
@ConditionalOnProperty(name = "sample.demo.enabled", havingValue = "true")
public class DemoFilesFirst implements BeanFactoryPostProcessor {

    static final String DEMO_EMBEDDING_MODEL = "demoEmbeddingModel";

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        for (String name : beanFactory.getBeanNamesForType(EmbeddingRuntime.class, true, false)) {
            BeanDefinition definition = beanFactory.getBeanDefinition(name);
            String[] dependsOn = definition.getDependsOn() != null ? definition.getDependsOn() : new String[0];
            definition.setDependsOn(Stream.concat(Arrays.stream(dependsOn), Stream.of(DEMO_EMBEDDING_MODEL))
                    .distinct().toArray(String[]::new));
        }
    }
}
