# Exported by privatelink-bot from PL-1001: what it made, as Terraform.
# The import blocks adopt the existing resources into your state (Terraform 1.5 or later):
# `terraform plan` should show the imports and no change.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    zillizcloud = {
      source  = "zilliztech/zillizcloud"
      version = ">= 0.6"
    }
  }
}

provider "aws" {
  region = "us-west-2"
}

# The Zilliz Cloud provider reads its API key from ZILLIZCLOUD_API_KEY.
provider "zillizcloud" {}

# The VPC endpoint ENDPOINT1 (made by PL-1000; export PL-1000 to manage it).
data "aws_vpc_endpoint" "pl_1001_endpoint" {
  id = "ENDPOINT1"
}

# in01-sandbox0001: the zone ZONE1 and its alias record in01-sandbox0001-privatelink.aws-us-west-2.vectordb.zillizcloud.com (made by PL-1000; export PL-1000 to manage it).

# in01-sandbox0002: the private hosted zone for in01-sandbox0002-privatelink.aws-us-west-2.vectordb.zillizcloud.com.
import {
  to = aws_route53_zone.pl_1001_in01_sandbox0002
  id = "ZONE2"
}

resource "aws_route53_zone" "pl_1001_in01_sandbox0002" {
  name    = "in01-sandbox0002-privatelink.aws-us-west-2.vectordb.zillizcloud.com"
  comment = "privatelink-bot PL-1001 for in01-sandbox0002"
  # The zone's one VPC association: never also an aws_route53_zone_association.
  vpc {
    vpc_id     = data.aws_vpc_endpoint.pl_1001_endpoint.vpc_id
    vpc_region = "us-west-2"
  }
}

# in01-sandbox0002: the alias record sending in01-sandbox0002-privatelink.aws-us-west-2.vectordb.zillizcloud.com to the endpoint.
import {
  to = aws_route53_record.pl_1001_in01_sandbox0002
  id = "ZONE2_in01-sandbox0002-privatelink.aws-us-west-2.vectordb.zillizcloud.com_A"
}

resource "aws_route53_record" "pl_1001_in01_sandbox0002" {
  zone_id = aws_route53_zone.pl_1001_in01_sandbox0002.zone_id
  name    = "in01-sandbox0002-privatelink.aws-us-west-2.vectordb.zillizcloud.com"
  type    = "A"
  # AWS lists the endpoint's regional DNS entry first.
  alias {
    name                   = data.aws_vpc_endpoint.pl_1001_endpoint.dns_entry[0].dns_name
    zone_id                = data.aws_vpc_endpoint.pl_1001_endpoint.dns_entry[0].hosted_zone_id
    evaluate_target_health = false
  }
}

# Zilliz Cloud: ENDPOINT1 is registered with project proj-sandbox0001 (aws-us-west-2).
# zillizcloud_private_endpoint has no import: declaring it would register the
# endpoint again, so it stays out of your state. For reference:
# resource "zillizcloud_private_endpoint" "pl_1001_registration" {
#   project_id  = "proj-sandbox0001"
#   region_id   = "aws-us-west-2"
#   endpoint_id = data.aws_vpc_endpoint.pl_1001_endpoint.id
# }
# The registration is checked on every plan instead.
check "pl_1001_registration" {
  data "zillizcloud_private_endpoints" "pl_1001_endpoints" {
    project_id = "proj-sandbox0001"
    page_size  = 100
  }
  assert {
    condition     = contains([for e in data.zillizcloud_private_endpoints.pl_1001_endpoints.endpoints : e.endpoint_id], data.aws_vpc_endpoint.pl_1001_endpoint.id)
    error_message = "ENDPOINT1 is no longer registered with Zilliz Cloud project proj-sandbox0001."
  }
}

# The endpoint service admits only allowed accounts: the job allowed AWS account
# 123456789012 into project proj-sandbox0001 (aws-us-west-2).
# zillizcloud_private_endpoint_whitelist cannot read it back (its Read is a no-op),
# so it is not declared here.
