import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { V1_SECURITY } from '../api/api-docs.decorators';

/** The OpenAPI document of the service, built from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
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
}
