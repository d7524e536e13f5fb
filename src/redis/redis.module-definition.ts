import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RedisModuleOptions } from './redis-module-options';

export const {
  ConfigurableModuleClass: ConfigurableRedisModule,
  MODULE_OPTIONS_TOKEN: REDIS_MODULE_OPTIONS,
  OPTIONS_TYPE: REDIS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: REDIS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RedisModuleOptions>().setClassMethodName('forRoot').build();
