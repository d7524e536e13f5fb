import type { INestApplication } from '@nestjs/common';
import { OPERATION_SUMMARIES } from './operation-summaries';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { V1_SECURITY } from '../api/api-docs.decorators';

/** The OpenAPI document of the service, built from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Stateful routing store')
      .setDescription(
        'Sticky routing for Kubernetes StatefulSets: which pod each user is linked to, per ' +
          'service; pod states and loads; workload states. Errors are ' +
          '{ statusCode, error, message }. With API_TOKEN set, /v1 needs a bearer token.',
      )
      .setVersion('1')
      // An opaque token (API_TOKEN), not a JWT.
      .addSecurity(V1_SECURITY, {
        type: 'http',
        scheme: 'bearer',
        description: 'the API_TOKEN the service was started with',
      })
      .build(),
  );
  // Nest names operations `<Controller>_<handler>`: each gets its one-line summary.
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as {
      operationId?: string;
      summary?: string;
    }[]) {
      const handler = operation.operationId?.split('_').pop();
      if (handler !== undefined && OPERATION_SUMMARIES[handler]) {
        operation.summary = OPERATION_SUMMARIES[handler];
      }
    }
  }
  return document;
}
