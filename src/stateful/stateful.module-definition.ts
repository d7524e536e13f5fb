import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { StatefulModuleOptions } from './stateful-module-options';

export const {
  ConfigurableModuleClass: ConfigurableStatefulModule,
  MODULE_OPTIONS_TOKEN: STATEFUL_MODULE_OPTIONS,
  OPTIONS_TYPE: STATEFUL_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: STATEFUL_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<StatefulModuleOptions>()
  .setClassMethodName('forRoot')
  // isGlobal: true makes the executor, the pool, the registry and the indicators injectable everywhere.
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
