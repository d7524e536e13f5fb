import { ApiProperty } from '@nestjs/swagger';

/** The answers of the overview routes (OverviewController): what the console and operators read. */

export class ServiceRefEntry {
  @ApiProperty({ example: 'prod' }) namespace!: string;
  @ApiProperty({ example: 'game' }) service!: string;
}

export class ServicesResponse {
  @ApiProperty({ type: [ServiceRefEntry] }) services!: ServiceRefEntry[];
  @ApiProperty({
    description: 'false when the bounded scan stopped before the end of the keyspace',
  })
  complete!: boolean;
}

export class PodOverviewEntry {
  @ApiProperty({ example: 0 }) podId!: number;
  @ApiProperty({ type: String, nullable: true, example: 'Ready' }) state!: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 12 }) load!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'unix ms of the last report (Redis clock)',
  })
  reportedAt!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'age of the last report in ms' })
  ageMs!: number | null;
  @ApiProperty({ type: String, nullable: true, example: '10.0.0.7:7000' }) address!: string | null;
  @ApiProperty({ type: Number, nullable: true }) everyMs!: number | null;
  @ApiProperty() javaStatus!: boolean;
  @ApiProperty({ required: false, description: 'users linked to the pod (with ?users=true)' })
  users?: number;
}

export class ServiceOverviewResponse {
  @ApiProperty({ example: 'prod' }) namespace!: string;
  @ApiProperty({ example: 'game' }) service!: string;
  @ApiProperty({ type: [PodOverviewEntry] }) pods!: PodOverviewEntry[];
}

export class UserLinkEntry {
  @ApiProperty({ example: 'game' }) service!: string;
  @ApiProperty({ example: 3 }) podId!: number;
  @ApiProperty() persistent!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'ms left of a temporary link' })
  ttlMs!: number | null;
  @ApiProperty({ example: 1765074635123456 }) epoch!: number;
}

export class UserOverviewResponse {
  @ApiProperty({ example: 'prod' }) namespace!: string;
  @ApiProperty({ example: 'u1' }) uid!: string;
  @ApiProperty({ type: [UserLinkEntry] }) links!: UserLinkEntry[];
}
